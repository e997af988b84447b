"""Weights resolved OFFLINE through the full identify + resolve path vs research/weights-facts.csv (117 rows).

Usage: python bench/bench_weights.py [-v]

Each row's component ids become the references discovery would emit (a loader call, or a manifest line for
libraries), go through ``build_components`` with the Hub offline, an empty Hugging Face cache and no installed
environment (so libraries resolve from the knowledge base), and the resolved license is compared with the
expected normalized license. Prints the share answered correctly (goal 100%) and lists every miss.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from vlicense.model import Discovery, Location, ModelReference, RequirementReference
from vlicense.resolution.components import build_components
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.installed import Environment
from vlicense.resolution.knowledge_base import KnowledgeBase

HERE = Location("app.py", 1)

# Copied from tests/kb/test_weights_facts.py (itself copied from ../shared/research/weights-facts.csv).
SWAG = "CC-BY-NC-4.0"
TORCH = "Apache-2.0 AND Apache-2.0 WITH LLVM-exception AND BSD-2-Clause AND BSD-3-Clause AND BSL-1.0 AND MIT"

# (csv row number, component ids the row maps to, expected normalized license). Copied from
# /work/shared/research/weights-facts.csv (read-only, not available in CI); "a / b" rows list both ids.
ROWS: list[tuple[int, tuple[str, ...], str | None]] = [
    (1, ("pypi:ultralytics",), "AGPL-3.0-only"),
    (2, ("pypi:torchvision",), "BSD-3-Clause"),
    (3, ("pypi:timm",), "Apache-2.0"),
    (4, ("pypi:open_clip_torch",), "MIT"),
    (5, ("pypi:huggingface_hub",), "Apache-2.0"),
    (6, ("pypi:transformers",), "Apache-2.0"),
    (7, ("pypi:torch",), TORCH),
    (8, ("pypi:rfdetr",), "Apache-2.0"),
    (9, ("pypi:super-gradients",), "Apache-2.0"),
    (10, ("torchvision:ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1",), SWAG),
    (11, ("torchvision:ViT_B_16_Weights.IMAGENET1K_SWAG_LINEAR_V1",), SWAG),
    (12, ("torchvision:ViT_L_16_Weights.IMAGENET1K_SWAG_E2E_V1",), SWAG),
    (13, ("torchvision:ViT_L_16_Weights.IMAGENET1K_SWAG_LINEAR_V1",), SWAG),
    (14, ("torchvision:ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1",), SWAG),
    (15, ("torchvision:ViT_H_14_Weights.IMAGENET1K_SWAG_LINEAR_V1",), SWAG),
    (16, ("torchvision:RegNet_Y_16GF_Weights.IMAGENET1K_SWAG_E2E_V1",), SWAG),
    (17, ("torchvision:RegNet_Y_16GF_Weights.IMAGENET1K_SWAG_LINEAR_V1",), SWAG),
    (18, ("torchvision:RegNet_Y_32GF_Weights.IMAGENET1K_SWAG_E2E_V1",), SWAG),
    (19, ("torchvision:RegNet_Y_32GF_Weights.IMAGENET1K_SWAG_LINEAR_V1",), SWAG),
    (20, ("torchvision:RegNet_Y_128GF_Weights.IMAGENET1K_SWAG_E2E_V1",), SWAG),
    (21, ("torchvision:RegNet_Y_128GF_Weights.IMAGENET1K_SWAG_LINEAR_V1",), SWAG),
    (22, ("torchvision:ResNet50_Weights.IMAGENET1K_V2",), "BSD-3-Clause"),
    (23, ("torchvision:ResNet50_Weights.IMAGENET1K_V1",), "BSD-3-Clause"),
    (24, ("torchvision:MViT_V2_S_Weights.KINETICS400_V1",), "BSD-3-Clause"),
    (25, ("timm:convnext_tiny.fb_in22k_ft_in1k",), "Apache-2.0"),
    (26, ("timm:resnet50.a1_in1k",), "Apache-2.0"),
    (27, ("timm:vit_base_patch16_224.augreg2_in21k_ft_in1k",), "Apache-2.0"),
    (28, ("timm:vit_small_patch14_dinov2.lvd142m",), "Apache-2.0"),
    # timm declares apache-2.0 (inherited _cfg default); upstream openai/CLIP is MIT: the KB keeps MIT.
    (29, ("timm:vit_base_patch16_clip_224.openai",), "MIT"),
    (30, ("timm:eva02_base_patch14_448.mim_in22k_ft_in22k_in1k",), "MIT"),
    (31, ("timm:swin_base_patch4_window7_224.ms_in22k_ft_in1k",), "MIT"),
    (32, ("timm:resnet50.tv_in1k",), "BSD-3-Clause"),
    (33, ("timm:selecsls42b.in1k",), "CC-BY-4.0"),
    (34, ("timm:convnextv2_tiny.fcmae_ft_in22k_in1k",), "CC-BY-NC-4.0"),
    (35, ("timm:resnet50.fb_swsl_ig1b_ft_in1k",), "CC-BY-NC-4.0"),
    (36, ("timm:resnext101_32x8d.fb_wsl_ig1b_ft_in1k",), "CC-BY-NC-4.0"),
    (37, ("timm:regnety_160.swag_ft_in1k",), "CC-BY-NC-4.0"),
    (38, ("timm:vit_base_patch16_224.mae",), "CC-BY-NC-4.0"),
    (39, ("timm:hiera_base_224.mae_in1k_ft_in1k",), "CC-BY-NC-4.0"),
    (40, ("timm:vit_base_patch16_clip_224.metaclip_400m",), "CC-BY-NC-4.0"),
    (41, ("timm:vit_huge_patch14_gap_224.in1k_ijepa",), "CC-BY-NC-4.0"),
    (
        42,
        ("timm:convnext_tiny.eupe_lvd1689m",),
        "LicenseRef-fair-noncommercial-research-license",
    ),
    (43, ("timm:vit_large_patch16_dinov3.lvd1689m",), "LicenseRef-dinov3-license"),
    (44, ("timm:fastvit_mci0.apple_mclip",), "LicenseRef-apple-amlr"),
    (45, ("timm:vit_large_patch14_clip_224.dfn2b",), "LicenseRef-apple-ascl"),
    (46, ("timm:aimv2_large_patch14_224.apple_pt",), "LicenseRef-apple-ascl"),
    (47, ("timm:mobileone_s0.apple_in1k",), "LicenseRef-mobileone-license"),
    (48, ("timm:fastvit_t8.apple_in1k",), "LicenseRef-fastvit-license"),
    (49, ("timm:mobilevit_s.cvnets_in1k",), "LicenseRef-cvnets-license"),
    (50, ("timm:regnety_320.seer",), "LicenseRef-seer-license"),
    (
        51,
        ("timm:vit_base_patch16_radio_v3.c_radio",),
        "LicenseRef-nvidia-open-model-license",
    ),
    (52, ("timm:vit_base_patch16_sapiens2.fb",), "LicenseRef-sapiens2-license"),
    (53, ("timm:qwen3_vit_416m.qwen3_8_flash_next",), "LicenseRef-qwen-community-1.0"),
    (54, ("timm:mobilenetv5_300m.gemma3n",), "LicenseRef-gemma"),
    (55, ("timm:res2net50_26w_4s.in1k",), None),  # timm says "unknown": stays unknown
    (56, ("timm:resnet50.bamboo",), None),  # no license in cfg: unknown
    (
        57,
        (
            "open_clip:ViT-B-32:laion2b_s34b_b79k",
            "hf:laion/CLIP-ViT-B-32-laion2B-s34B-b79K",
        ),
        "MIT",
    ),
    (58, ("open_clip:ViT-B-32:openai",), "MIT"),
    (59, ("open_clip:ViT-B-32:metaclip_400m",), "CC-BY-NC-4.0"),
    (
        60,
        ("open_clip:ViT-H-14:dfn5b", "hf:apple/DFN5B-CLIP-ViT-H-14"),
        "LicenseRef-apple-ascl",
    ),
    (61, ("open_clip:ViT-B-16-SigLIP:webli",), "Apache-2.0"),
    (62, ("open_clip:EVA02-L-14:merged2b_s4b_b131k",), "MIT"),
    (63, ("open_clip:nllb-clip-base:v1",), "CC-BY-NC-4.0"),
    (64, ("open_clip:ViT-L-14-CLIPA:datacomp1b",), "Apache-2.0"),
    (65, ("hf:facebook/detr-resnet-50",), "Apache-2.0"),
    (66, ("hf:facebook/detr-resnet-50-dc5",), "Apache-2.0"),
    (67, ("hf:microsoft/resnet-50",), "Apache-2.0"),
    (68, ("hf:google/vit-base-patch16-224",), "Apache-2.0"),
    (69, ("hf:openai/clip-vit-base-patch32",), "MIT"),
    (70, ("hf:facebook/dinov2-base",), "Apache-2.0"),
    (71, ("hf:facebook/sam-vit-base",), "Apache-2.0"),
    (72, ("hf:facebook/sam2-hiera-large",), "Apache-2.0"),
    (73, ("hf:Salesforce/blip-image-captioning-base",), "BSD-3-Clause"),
    (74, ("hf:Salesforce/blip2-opt-2.7b-coco",), "MIT"),
    (
        75,
        ("hf:nvidia/segformer-b0-finetuned-ade-512-512",),
        "LicenseRef-NVIDIA-SegFormer",
    ),
    (76, ("hf:nvidia/mit-b0",), "LicenseRef-NVIDIA-SegFormer"),
    (77, ("hf:facebook/mask2former-swin-large-coco-instance",), "MIT"),
    (78, ("hf:PekingU/rtdetr_r50vd",), "Apache-2.0"),
    (
        79,
        ("hf:apple/MobileCLIP-S2", "hf:apple/MobileCLIP2-S0", "hf:apple/MobileCLIP2-B"),
        "LicenseRef-apple-amlr",
    ),
    (80, ("hf:Qwen/Qwen2-VL-7B-Instruct",), "Apache-2.0"),
    (81, ("hf:Qwen/Qwen2-VL-2B-Instruct",), "Apache-2.0"),
    (82, ("hf:Qwen/Qwen2-VL-72B-Instruct",), "LicenseRef-Qwen"),
    (83, ("hf:OpenGVLab/InternVL2-8B",), "MIT"),
    (
        84,
        (
            "hf:meta-llama/Llama-3.2-11B-Vision",
            "hf:meta-llama/Llama-3.2-11B-Vision-Instruct",
        ),
        "LicenseRef-llama3.2",
    ),
    (85, ("hf:laion/CLIP-ViT-H-14-laion2B-s32B-b79K",), "MIT"),
    (86, ("hf:laion/CLIP-ViT-L-14-laion2B-s32B-b82K",), "MIT"),
    (87, ("hf:microsoft/Florence-2-large",), "MIT"),
    (88, ("hf:IDEA-Research/grounding-dino-base",), "Apache-2.0"),
    (89, ("hf:hustvl/yolos-small",), "MIT"),
    (90, ("hf:jameslahm/yolov10n",), "AGPL-3.0-only"),
    (91, ("hf:depth-anything/Depth-Anything-V2-Small-hf",), "Apache-2.0"),
    (92, ("hf:depth-anything/Depth-Anything-V2-Large-hf",), "CC-BY-NC-4.0"),
    (93, ("hf:facebook/convnextv2-tiny-22k-224",), "CC-BY-NC-4.0"),
    (94, ("hf:timm/resnet50.a1_in1k",), "Apache-2.0"),
    (95, ("ultralytics:yolo11n.pt",), "AGPL-3.0-only"),
    (96, ("ultralytics:yolov8n.pt",), "AGPL-3.0-only"),
    (97, ("ultralytics:yolo12n.pt",), "AGPL-3.0-only"),
    (98, ("ultralytics:yolo26n.pt",), "AGPL-3.0-only"),
    (99, ("ultralytics:yolov5nu.pt", "ultralytics:yolov3u.pt"), "AGPL-3.0-only"),
    (100, ("ultralytics:yolov9c.pt",), "AGPL-3.0-only"),
    (101, ("ultralytics:yolov10n.pt",), "AGPL-3.0-only"),
    (102, ("ultralytics:yolov8s-worldv2.pt",), "AGPL-3.0-only"),
    (103, ("ultralytics:yoloe-11s-seg.pt",), "AGPL-3.0-only"),
    (104, ("ultralytics:yolo_nas_s.pt",), "LicenseRef-Deci-YOLO-NAS"),
    (105, ("ultralytics:sam_b.pt",), "Apache-2.0"),
    (106, ("ultralytics:sam2.1_b.pt",), "Apache-2.0"),
    (107, ("ultralytics:mobile_sam.pt",), "Apache-2.0"),
    (108, ("ultralytics:FastSAM-s.pt",), "AGPL-3.0-only"),
    (109, ("ultralytics:rtdetr-l.pt",), "Apache-2.0"),
    (110, ("torchhub:ultralytics/yolov5:yolov5s",), "AGPL-3.0-only"),
    (111, ("torchhub:facebookresearch/dinov2:dinov2_vitb14",), "Apache-2.0"),
    (112, ("torchhub:facebookresearch/detr:detr_resnet50",), "Apache-2.0"),
    (113, ("torchhub:facebookresearch/deit:deit_base_patch16_224",), "Apache-2.0"),
    (114, ("torchhub:facebookresearch/swag:vit_h14_in1k",), "CC-BY-NC-4.0"),
    (115, ("torchhub:pytorch/vision:resnet50",), "BSD-3-Clause"),
    (
        116,
        (
            "rfdetr:RFDETRBase",
            "rfdetr:RFDETRNano",
            "rfdetr:RFDETRSmall",
            "rfdetr:RFDETRMedium",
            "rfdetr:RFDETRLarge",
        ),
        "Apache-2.0",
    ),
    (
        117,
        ("rfdetr:RFDETRXLarge", "rfdetr:RFDETR2XLarge"),
        "LicenseRef-Roboflow-PML-1.0",
    ),
]


def reference(component_id: str) -> ModelReference | RequirementReference:
    """The reference discovery would emit for a component id (DESIGN.md section 4)."""
    kind, _, rest = component_id.partition(":")
    if kind == "pypi":
        return RequirementReference(rest.lower().replace("_", "-"), "", Location("requirements.txt", 1))
    if kind == "torchvision":
        return ModelReference("torchvision", "", HERE, variant=rest)
    if kind == "timm":
        return ModelReference("timm", rest, HERE)
    if kind == "open_clip":
        model, _, tag = rest.partition(":")
        return ModelReference("open_clip", model, HERE, variant=tag)
    if kind == "hf":
        return ModelReference("huggingface", rest, HERE)
    if kind == "ultralytics":
        return ModelReference("ultralytics", rest, HERE, variant="YOLO")
    if kind == "torchhub":
        repo, _, entry = rest.rpartition(":")
        return ModelReference("torchhub", repo, HERE, variant=entry)
    return ModelReference(kind, rest, HERE)  # type: ignore[arg-type]  # rfdetr:<ModelClass>


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every row")
    args = parser.parse_args()
    kb = KnowledgeBase.load()
    cases = [(row, cid, expected) for row, ids, expected in ROWS for cid in ids]
    with tempfile.TemporaryDirectory() as empty_cache:
        hub = HubResolver(offline=True, cache_dir=Path(empty_cache))
        start = time.perf_counter()
        found = Discovery()
        for _, cid, _ in cases:
            ref = reference(cid)
            (found.requirements if isinstance(ref, RequirementReference) else found.models).append(ref)
        components = build_components(found, environment=Environment.from_paths([], None), kb=kb, hub=hub,
                                      project_path=lambda name: None)
        elapsed = time.perf_counter() - start
    by_id = {c.id: c for c in components}
    rows_ok: dict[int, bool] = {}
    misses = []
    for row, cid, expected in cases:
        key = cid if not cid.startswith("pypi:") else "pypi:" + cid[5:].lower().replace("_", "-")
        component = by_id.get(key)
        got = component.license if component else "<no component>"
        ok = component is not None and got == expected
        rows_ok[row] = rows_ok.get(row, True) and ok
        if not ok:
            misses.append(f"  row {row}: {cid}: expected {expected}, got {got}")
        elif args.verbose:
            print(f"  row {row}: {cid}: {got} [{component.license_source}]")
    ids_ok = len(cases) - len(misses)
    print(f"weights-facts rows answered correctly offline: {sum(rows_ok.values())}/{len(rows_ok)} "
          f"({100.0 * sum(rows_ok.values()) / len(rows_ok):.1f}%)")
    print(f"component ids answered correctly offline: {ids_ok}/{len(cases)} ({100.0 * ids_ok / len(cases):.1f}%)")
    print(f"resolution time for {len(cases)} references: {elapsed * 1000:.0f} ms")
    if misses:
        print("misses:")
        print("\n".join(misses))
    return 0 if not misses else 1


if __name__ == "__main__":
    sys.exit(main())
