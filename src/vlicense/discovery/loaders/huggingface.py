"""Hugging Face: transformers.pipeline, X.from_pretrained (transformers, diffusers), SentenceTransformer, hub downloads."""

from __future__ import annotations

from vlicense.discovery.loaders.base import CallSite, Reference, local_or_hub

PIPELINES = frozenset({"transformers.pipeline", "transformers.pipelines.pipeline"})
FROM_PRETRAINED_LIBS = ("transformers.", "diffusers.", "sentence_transformers.")
SENTENCE_CLASSES = frozenset({"SentenceTransformer", "CrossEncoder", "SparseEncoder"})
HUB_DOWNLOADS = frozenset({"hf_hub_download", "snapshot_download"})


class HuggingFaceLoader:
    name = "huggingface"
    modules = ("transformers", "diffusers", "sentence_transformers", "huggingface_hub")
    triggers = ("pipeline", "from_pretrained", *SENTENCE_CLASSES, *HUB_DOWNLOADS)

    def handles(self, qualname: str) -> bool:
        short = qualname.rsplit(".", 1)[-1]
        if qualname in PIPELINES:
            return True
        if short == "from_pretrained":
            return qualname.startswith(FROM_PRETRAINED_LIBS)
        if qualname.startswith("sentence_transformers."):
            return short in SENTENCE_CLASSES
        return qualname.startswith("huggingface_hub.") and short in HUB_DOWNLOADS

    def analyze(self, site: CallSite) -> list[Reference]:
        revision_v = site.optional(None, "revision")
        revision = site.string(revision_v)
        if site.qualname in PIPELINES:
            return self._pipeline(site, revision)
        short = site.short
        if short == "from_pretrained":
            return self._repo(site, site.arg(0, "pretrained_model_name_or_path"), revision=revision, required=True)
        if short in SENTENCE_CLASSES:
            return self._repo(site, site.arg(0, "model_name_or_path" if short != "CrossEncoder" else "model_name"), revision=revision)
        repo_type = site.optional(None, "repo_type")
        if repo_type.kind != "missing" and not (repo_type.kind == "const" and repo_type.value in (None, "model")):
            what = repo_type.value if repo_type.kind == "const" else "not a constant"
            return [site.unresolved("huggingface", repo_type, f"repo_type {what!s}: only model repositories are audited")]
        variant = None
        if short == "hf_hub_download":
            variant = site.string(site.arg(1, "filename"))
        return self._repo(site, site.arg(0, "repo_id"), revision=revision, variant=variant, required=True)

    def _pipeline(self, site: CallSite, revision: str | None) -> list[Reference]:
        task_v = site.arg(0, "task")
        task = site.string(task_v)
        model_v = site.arg(1, "model")
        if model_v.kind == "missing":
            if task is None:
                if task_v.kind == "missing":
                    return [site.unresolved("huggingface", task_v, "pipeline() without a task or a model")]
                return [site.unresolved("huggingface", task_v, f"task {site.not_a_string(task_v)}")]
            # The task's default model loads (resolution knows which).
            return [site.model("huggingface", "", task=task, revision=revision)]
        return self._repo(site, model_v, revision=revision, task=task, required=True)

    def _repo(self, site: CallSite, value, *, required: bool = False, **kw) -> list[Reference]:
        if value.kind == "missing":
            return [site.unresolved("huggingface", value, "no model id given")] if required else []
        repo = site.string(value)
        if repo is None:
            if (value.kind == "const" and value.value is None and not required) or site.from_loader_call(value):
                return []
            return [site.unresolved("huggingface", value, site.not_a_string(value))]
        kw = {k: v for k, v in kw.items() if v is not None}
        return [local_or_hub(site, "huggingface", repo, **kw)]


LOADER = HuggingFaceLoader()
