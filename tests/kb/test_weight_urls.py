"""One URL -> weight mapping for every scanner (knowledge/weight_urls.py), and names known wherever they appear."""

from __future__ import annotations

import pytest

from vlicense.knowledge.weight_urls import is_known_host, known_weight, weight_for_url


@pytest.mark.parametrize(
    ("url", "component_id", "variant"),
    [
        ("https://huggingface.co/facebook/sam-vit-base/resolve/main/model.safetensors", "hf:facebook/sam-vit-base", "model.safetensors"),
        ("https://hf.co/org/name/resolve/abc123/weights.pt", "hf:org/name", "weights.pt"),
        ("https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11n.pt", "ultralytics:yolo11n.pt", None),
        ("https://download.pytorch.org/models/resnet50-11ad3fa6.pth", "torchvision:ResNet50_Weights.IMAGENET1K_V2", "ResNet50_Weights.IMAGENET1K_V2"),
        ("http://download.pytorch.org/models/resnet50-11ad3fa6.pth", "torchvision:ResNet50_Weights.IMAGENET1K_V2", "ResNet50_Weights.IMAGENET1K_V2"),
        ("https://dl.fbaipublicfiles.com/deit/M36_384.pth", "timm:cait_m36_384.fb_dist_in1k", None),
        ("https://github.com/mlfoundations/open_clip/releases/download/v0.2-weights/rn50-quickgelu-cc12m-f000538c.pt",
         "open_clip:RN50-quickgelu:cc12m", "cc12m"),
        ("https://example.com/files/model.onnx?download=1", "file:model.onnx", "onnx"),
        # torchvision 0.9.1 model_urls, still copied into vendored backbones (EasyOCR's DBNet resnet.py): the
        # pretrained=True weights, which torchvision >= 0.13 calls IMAGENET1K_V1 (models.yaml weight_urls)
        ("https://download.pytorch.org/models/resnet18-5c106cde.pth", "torchvision:ResNet18_Weights.IMAGENET1K_V1", "ResNet18_Weights.IMAGENET1K_V1"),
        ("http://download.pytorch.org/models/resnet50-19c8e357.pth", "torchvision:ResNet50_Weights.IMAGENET1K_V1", "ResNet50_Weights.IMAGENET1K_V1"),
        ("https://download.pytorch.org/models/vgg13-c768596a.pth", "torchvision:VGG13_Weights.IMAGENET1K_V1", "VGG13_Weights.IMAGENET1K_V1"),
        ("https://download.pytorch.org/models/resnet18-00000000.pth", "file:resnet18-00000000.pth", "pth"),
    ],
)
def test_weight_urls_map_to_components(url, component_id, variant):
    found = weight_for_url(url)
    assert found is not None and found.component_id == component_id and found.variant == variant


def test_hub_revision_and_pages():
    assert weight_for_url("https://huggingface.co/org/name/resolve/v1.0/x.bin").revision == "v1.0"
    assert weight_for_url("https://huggingface.co/org/name") is None
    assert weight_for_url("https://huggingface.co/org/name", repo_pages=True).component_id == "hf:org/name"
    assert weight_for_url("https://huggingface.co/datasets/org/name/resolve/main/x.bin") is not None  # a file, not a model
    assert weight_for_url("https://huggingface.co/datasets/org/name/resolve/main/x.bin").loader == "file"


@pytest.mark.parametrize("url", ["https://example.com/docs/index.html", "https://github.com/org/repo", "not a url", ""])
def test_urls_that_name_no_weights(url):
    assert weight_for_url(url) is None


def test_known_hosts():
    assert is_known_host("https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth")
    assert is_known_host("https://download.openmmlab.com/mmdetection/v2.0/x.pth")
    assert not is_known_host("https://github.com/xinntao/Real-ESRGAN/blob/master/README.md")
    assert not is_known_host("https://example.com/x.pth")


@pytest.mark.parametrize(
    ("text", "component_id"),
    [
        ("yolov8n.pt", "ultralytics:yolov8n.pt"),
        ("weights/yolo11s-seg.pt", "ultralytics:yolo11s-seg.pt"),
        ("facebook/detr-resnet-50", "hf:facebook/detr-resnet-50"),
        # The SAM checkpoint URL is also the one timm's samvit tag downloads (timm 1.0.31 pretrained cfg url), but
        # a download of it is segment-anything's checkpoint, the id sam_model_registry loads it under (weight_urls).
        ("https://dl.fbaipublicfiles.com/segment_anything/sam_vit_b_01ec64.pth", "segment_anything:sam_vit_b_01ec64.pth"),
        ("https://github.com/ultralytics/yolov5/releases/download/v7.0/yolov5s.pt", "yolov5:yolov5s.pt"),
        ("https://dl.fbaipublicfiles.com/segment_anything_2/092824/sam2.1_hiera_large.pt", "sam2:sam2.1_hiera_large.pt"),
        ("https://openaipublic.azureedge.net/main/whisper/models/" + "0" * 64 + "/large-v3-turbo.pt", "whisper:large-v3-turbo"),
        ("https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r50-d8_512x1024_40k_cityscapes/"
         "pspnet_r50-d8_512x1024_40k_cityscapes_20200605_003338-2966598c.pth", "mmseg:pspnet_r50-d8_512x1024_40k_cityscapes"),
        ("https://github.com/someone/yolov5-fork/releases/download/v1/yolov5s.pt", "file:yolov5s.pt"),
        ("https://dl.fbaipublicfiles.com/foo/bar.pth", "file:bar.pth"),
        # DINOv2 backbones/heads/dino.txt and DETR's COCO models (their repositories' own download links)
        ("https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_nyu_dpt_head.pth", "dinov2:dinov2_vits14_nyu_dpt_head.pth"),
        ("https://dl.fbaipublicfiles.com/dinov2/dinov2_vitl14/dinov2_vitl14_reg4_pretrain.pth", "dinov2:dinov2_vitl14_reg4_pretrain.pth"),
        ("https://dl.fbaipublicfiles.com/dinov2/thirdparty/bpe_simple_vocab_16e6.txt.gz", None),
        ("https://dl.fbaipublicfiles.com/detr/detr-r50-e632da11.pth", "detr:detr-r50-e632da11.pth"),
        ("https://dl.fbaipublicfiles.com/detr/detr-r101-dc5-panoptic-xx.pth", "file:detr-r101-dc5-panoptic-xx.pth"),
        ("weights/dinov2_vitb14_pretrain.pth", "dinov2:dinov2_vitb14_pretrain.pth"),
        ("detr-r50-panoptic-00ce5173.pth", "detr:detr-r50-panoptic-00ce5173.pth"),
        # official file names of libraries with their own ids (models.yaml weight_files)
        ("yolov5s.pt", "yolov5:yolov5s.pt"),
        ("checkpoints/sam_vit_b_01ec64.pth", "segment_anything:sam_vit_b_01ec64.pth"),
        ("base.pt", None),
        ("my_model.pt", None),
        ("models/custom", None),
        ("yolov8n.pt is fast", None),
    ],
)
def test_known_weight_names(text, component_id):
    found = known_weight(text)
    assert (found.component_id if found else None) == component_id
