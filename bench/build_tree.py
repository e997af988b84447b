"""Build the large discovery benchmark tree: real repositories (code and big notebooks) at pinned commits.

Usage: python bench/build_tree.py DEST [--mirror DIR] [--copies N]

Each repository is taken from a bare git mirror (``<mirror>/<owner>+<name>/repo``, as the session's fetch tool
leaves them; any bare clone works) with the files of the pinned commit written under
``DEST/<owner>+<name>`` (``--copies 2``: ``DEST/copy-1/...`` and ``DEST/copy-2/...``, the 2x tree for the
linearity check). Nothing is run or built. Then: ``python bench/bench_discovery.py --tree DEST``.
About 60 MB of .py and .ipynb per copy (snapshots lack files of 4 MiB and more).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

# owner/name, commit (the mirrors' HEAD when the bench was written)
REPOS = (
    ("huggingface/pytorch-image-models", "aa4b5850c1543fa488abf260f18390eda46cf85d"),
    ("facebookresearch/detectron2", "02b5c4e295e990042a714712c21dc79b731e8833"),
    ("mlfoundations/open_clip", "89fb801f1e6087880e951fc8354b8a2077b79c6d"),
    ("roboflow/supervision", "7f7b25d7e72d44486596f5ffab188c8ef7da1a7c"),
    ("IDEA-Research/Grounded-Segment-Anything", "126abe633ffe333e16e4a0a4e946bc1003caf757"),
    ("Sanster/IOPaint", "61a759fb3f332bacdce8b2813f4837495c9b86e0"),
    ("lllyasviel/ControlNet", "ed85cd1e25a5ed592f7d8178495b4483de0331bf"),
    ("merveenoyan/smol-vision", "420d2af9b3544ffad4b45849fa0d704405df7446"),
    ("facefusion/facefusion", "33cc6b40a4a538023e12893a0439ce5062e56e36"),
    ("open-mmlab/playground", "f5f5e80eb9bb1ab73c9699c551a5a51ea0ebc2e6"),
    ("pytorch/examples", "77f55b912142e11fcfdf5b530231fb9c52f181e8"),
    ("xinntao/Real-ESRGAN", "a4abfb2979a7bbff3f69f58f58ae324608821e27"),
    ("fchollet/deep-learning-with-python-notebooks", "dea84a4e12cc3bb3cb61ce952a0168bca113d315"),
)


def extract(git_dir: Path, commit: str, dest: Path) -> int:
    """Write every regular file of ``commit`` under ``dest``; blobs the snapshot lacks are left out (counted)."""
    git = ["git", f"--git-dir={git_dir}"]
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", commit], check=True, capture_output=True).stdout
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode in (b"100644", b"100755"):
            entries.append((sha.decode(), path.decode("utf-8", "replace")))
    batch = subprocess.run([*git, "cat-file", "--batch"], input="".join(f"{sha}\n" for sha, _ in entries).encode(),
                           check=True, capture_output=True).stdout
    stream, missing = io.BytesIO(batch), 0
    for sha, rel in entries:
        header = stream.readline().split()
        if header[-1] == b"missing":
            missing += 1
            continue
        data = stream.read(int(header[2]))
        stream.read(1)  # the newline after each object
        target = dest / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    missing = [repo for repo, _ in REPOS if not (args.mirror / repo.replace("/", "+") / "repo").is_dir()]
    if missing:
        print(f"missing mirrors under {args.mirror}: {', '.join(missing)}", file=sys.stderr)
        return 2
    for copy in range(1, args.copies + 1):
        base = args.dest / f"copy-{copy}" if args.copies > 1 else args.dest
        for repo, commit in REPOS:
            name = repo.replace("/", "+")
            if not (base / name).exists():
                missing = extract(args.mirror / name / "repo", commit, base / name)
                if missing:
                    print(f"{repo}: {missing} files absent from the snapshot (4 MiB and more) left out")
    files = [p for p in args.dest.rglob("*") if p.suffix in (".py", ".ipynb") and p.is_file()]
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"{args.dest}: {len(files)} .py/.ipynb files, {size:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
