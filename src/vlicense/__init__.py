"""vlicense: license and compliance auditor for Python projects that use pretrained vision models.

The CLI and the JSON report (schema_version 1) are the stable interfaces; the Python API is not.
"""

__version__ = "0.1.0"
