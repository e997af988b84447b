"""Python config modules (mmengine/mmcv dict configs, module constants): model-ish keys with constants followed."""

from __future__ import annotations

from vlicense.discovery.python_configs import is_config_module

MMAGIC = """\
negative_prompt = 'lowres, bad anatomy'
stable_diffusion_v15_url = 'Linaqruf/anything-v3.0'
model = dict(
    type='StableDiffusion',
    vae=dict(
        type='AutoencoderKL',
        from_pretrained=stable_diffusion_v15_url,
        subfolder='vae'),
    text_encoder=dict(
        type='ClipWrapper',
        pretrained_model_name_or_path=stable_diffusion_v15_url),
    tokenizer=stable_diffusion_v15_url,
    init_cfg=dict(type='init_from_unet'))
"""

MMSEG = """\
_base_ = ['../_base_/default_runtime.py']
model = dict(
    type='EncoderDecoder',
    backbone=dict(
        type='DINOv2',
        load_from='./checkpoints/depth_anything_vitl14.pth',
        init_cfg=dict(type='Pretrained', checkpoint='https://download.openmmlab.com/mmseg/x/swin_tiny.pth')),
    decode_head=dict(type='Mask2FormerHead', num_classes=150))
load_from = None
resume_from = 'work_dirs/latest.pth'
pretrained = 'open-mmlab://resnet50_v1c'
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=4000))
"""

GROUNDING_DINO = """\
batch_size = 1
modelname = 'groundingdino'
backbone = 'swin_T_224_1k'
text_encoder_type = 'bert-base-uncased'
max_text_len = 256
"""


def refs(d):
    return [(m.location.path, m.loader, m.name, m.location.line) for m in d.models]


def test_config_modules_name_weights(scan):
    d = scan(
        {
            "configs/sd_config.py": MMAGIC,
            "semseg/config/depth_anything_large.py": MMSEG,
            "configs/GroundingDINO_SwinT_OGC.py": GROUNDING_DINO,
        }
    )
    assert refs(d) == [
        ("configs/GroundingDINO_SwinT_OGC.py", "huggingface", "bert-base-uncased", 4),
        ("configs/sd_config.py", "huggingface", "Linaqruf/anything-v3.0", 7),
        ("configs/sd_config.py", "huggingface", "Linaqruf/anything-v3.0", 11),
        ("configs/sd_config.py", "huggingface", "Linaqruf/anything-v3.0", 12),
        ("semseg/config/depth_anything_large.py", "file", "checkpoints/depth_anything_vitl14.pth", 6),
        ("semseg/config/depth_anything_large.py", "file", "swin_tiny.pth", 7),
        ("semseg/config/depth_anything_large.py", "file", "work_dirs/latest.pth", 10),
    ]
    assert [(u.location.path, u.location.line) for u in d.unresolved] == [("semseg/config/depth_anything_large.py", 11)]
    # The mmengine checkpoint comes with its URL.
    swin = next(m for m in d.models if m.name == "swin_tiny.pth")
    assert swin.url == "https://download.openmmlab.com/mmseg/x/swin_tiny.pth"


def test_ordinary_modules_are_not_configs(scan):
    code = "model = dict(load_from='./checkpoints/x.pth', tokenizer='org/name')\n"
    d = scan({"app/train.py": code, "configs/readme_helper.py": "def f():\n    return 1\n"})
    assert d.models == [] and d.unresolved == []
    assert is_config_module("configs/a.py", "load_from = 'x.pth'")
    assert is_config_module("exp_config.py", "ckpt = 'x.pth'")
    assert not is_config_module("configs/a.py", "x = 1")
    assert not is_config_module("configuration.py", "load_from = 'x.pth'")
