"""Code shapes met in the real-repository corpus (bench/hygiene_findings.md), each reduced to a minimal project:
the mistake is reported, the correct form is not, and what cannot be established stays silent."""

from __future__ import annotations

import json

import pytest
from hygiene.conftest import CLIP_CONFIG, VIT_CONFIG, hygiene

from vlicense.discovery import discover

IMAGENET = "mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]"


def only(result, rule):
    found = hygiene(result)
    assert [f.rule for f in found] == [rule], [(f.rule, f.component, f.message) for f in found]
    return found[0]


def rules(result) -> list[tuple[str, str]]:
    return sorted((f.rule, f.component) for f in hygiene(result))


# --------------------------------------------------------------- feature extractors built from the model's layers

FEATURE_EXTRACTOR = f"""
    import torch
    from PIL import Image
    from torchvision import transforms
    from torchvision.models import resnet50, ResNet50_Weights

    class Validator:
        def __init__(self):
            self.model = resnet50(weights=ResNet50_Weights.DEFAULT).eval()
            self.feature_extractor = torch.nn.Sequential(*list(self.model.children())[:-1])
            self.transform = transforms.Compose([transforms.Resize(RESIZE), transforms.CenterCrop(224),
                                                 transforms.ToTensor(), transforms.Normalize({IMAGENET})])

        def extract(self, path):
            img_t = self.transform(Image.open(path).convert("RGB")).unsqueeze(0)
            with torch.no_grad():
                return self.feature_extractor(img_t)
"""


def test_sequential_of_the_model_children_is_the_same_model(audit) -> None:
    # nn.Sequential(*list(model.children())[:-1]) drops the head; its input still needs the weights' preprocessing.
    f = only(audit({"validate.py": FEATURE_EXTRACTOR.replace("RESIZE", "256")}), "preprocessing-mismatch")
    assert f.component == "torchvision:ResNet50_Weights.IMAGENET1K_V2" and "instead of 232" in f.message
    assert f.locations[0].line == 17


def test_sequential_of_the_model_children_with_the_right_resize_is_clean(audit) -> None:
    assert hygiene(audit({"validate.py": FEATURE_EXTRACTOR.replace("RESIZE", "232")})) == []


def test_layers_from_the_middle_are_not_the_model(audit) -> None:
    # children()[1:] drops the stem: what it receives is not the image, so nothing is said.
    code = FEATURE_EXTRACTOR.replace("RESIZE", "256").replace("children())[:-1]", "children())[1:-1]")
    assert hygiene(audit({"validate.py": code})) == []


def test_lazy_global_model_is_seen_by_the_other_functions(audit) -> None:
    code = f"""
        import io
        import torch
        import torchvision.models as models
        import torchvision.transforms as transforms
        from PIL import Image

        _model = None
        _transform = None

        def _load_model():
            global _model, _transform
            if _model is not None:
                return
            base = models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2)
            _model = torch.nn.Sequential(*list(base.children())[:-1])
            _transform = transforms.Compose([transforms.Resize(RESIZE), transforms.CenterCrop(224),
                                             transforms.ToTensor(), transforms.Normalize({IMAGENET})])

        def extract_features(image_bytes):
            _load_model()
            tensor = _transform(Image.open(io.BytesIO(image_bytes)).convert("RGB")).unsqueeze(0)
            with torch.no_grad():
                return _model(tensor)
    """
    f = only(audit({"recognizer.py": code.replace("RESIZE", "256")}), "preprocessing-mismatch")
    assert f.locations[0].line == 24 and "instead of 232" in f.message
    assert hygiene(audit({"recognizer.py": code.replace("RESIZE", "232")})) == []


def test_input_side_attribute_features_is_the_model(audit) -> None:
    code = """
        import torch
        from PIL import Image
        from torchvision import models, transforms

        vgg = models.vgg19(pretrained=True).features
        for p in vgg.parameters():
            p.requires_grad_(False)
        tf = transforms.Compose([transforms.Resize(400), transforms.ToTensor()STEP])
        features = vgg(tf(Image.open("content.jpg").convert("RGB")).unsqueeze(0))
    """
    f = only(audit({"style.py": code.replace("STEP", "")}), "missing-normalization")
    assert f.component == "torchvision:VGG19_Weights.IMAGENET1K_V1"
    assert hygiene(audit({"style.py": code.replace("STEP", f", transforms.Normalize({IMAGENET})")})) == []


# ------------------------------------------------------------------------------ objects that hold the model


IMG2VEC = """
    import torch
    from torchvision.transforms import v2
    from torchvision.models import efficientnet_b0, EfficientNet_B0_Weights, efficientnet_b3, EfficientNet_B3_Weights

    class Img2Vec:
        def __init__(self, model="efficientnet_b0"):
            self.model, self.layer = self._get_model_and_layer(model)
            self.model = self.model.eval()
            self.transforms = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float, scale=True), v2.Resize((224, 224)),
                                          v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])

        def get_vec(self, img):
            image = self.transforms(img).unsqueeze(0)
            with torch.no_grad():
                return self.model(image)

        def _get_efficientnet_model(self, name):
            if name == "efficientnet_b0":
                return efficientnet_b0(weights=EfficientNet_B0_Weights.DEFAULT)
            elif name == "OTHER":
                return OTHER_BUILDER

        def _get_model_and_layer(self, name):
            model = self._get_efficientnet_model(name)
            return model, model.features
"""


def test_models_returned_by_methods_on_self_are_followed(audit) -> None:
    # EfficientNet-B3 weights expect 300x300 crops: the shared 224x224 resize is wrong for them, right for B0.
    result = audit({"img2vec.py": IMG2VEC.replace("OTHER_BUILDER", "efficientnet_b3(weights=EfficientNet_B3_Weights.DEFAULT)")
                    .replace("OTHER", "efficientnet_b3")})
    f = only(result, "preprocessing-mismatch")
    assert f.component == "torchvision:EfficientNet_B3_Weights.IMAGENET1K_V1" and "224x224 instead of 300x300" in f.message
    assert f.locations[0].line == 16


def test_models_returned_by_methods_on_self_with_their_own_size_are_clean(audit) -> None:
    result = audit({"img2vec.py": IMG2VEC.replace("OTHER_BUILDER", "efficientnet_b0(weights=EfficientNet_B0_Weights.IMAGENET1K_V1)")
                    .replace("OTHER", "b0")})
    assert hygiene(result) == []


WRAPPER = """
    import torch
    import torch.nn as nn
    import timm
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms

    class CustomDataset(Dataset):
        def __init__(self, files, transform=None):
            self.files, self.transform = files, transform

        def __getitem__(self, idx):
            return self.transform(Image.open(self.files[idx]).convert("RGB")), 0

    def get_transform(train):
        if train:
            return transforms.Compose([transforms.RandomResizedCrop(224), transforms.ToTensor(), transforms.Normalize(MEAN_STD)])
        return transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), transforms.Normalize(MEAN_STD)])

    class ViTModel(nn.Module):
        def __init__(self, num_classes=3):
            super().__init__()
            self.vit = timm.create_model("vit_base_patch16_224.augreg2_in21k_ft_in1k", pretrained=True)
            self.vit.head = nn.Linear(self.vit.head.in_features, num_classes)

        def forward(self, x):
            return self.vit(x)

    def train_model(model, dataloaders, optimizer):
        best = model.state_dict()
        for phase in ["train", "val"]:
            for inputs, labels in dataloaders[phase]:
                loss = nn.functional.cross_entropy(model(inputs.to("cuda")), labels)
                loss.backward()
                optimizer.step()
                best = model.state_dict()
        model.load_state_dict(best)
        return model

    def main():
        datasets = {"train": CustomDataset(["a.jpg"], get_transform(train=True)),
                    "val": CustomDataset(["b.jpg"], get_transform(train=False))}
        loaders = {x: DataLoader(datasets[x], batch_size=32) for x in ["train", "val"]}
        model = ViTModel(num_classes=3)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        model = train_model(model, loaders, optimizer)
"""


def test_a_wrapper_module_is_followed_into_its_forward(audit) -> None:
    # The dataset takes the transform positionally, the loaders come from a dict comprehension, the model is an
    # nn.Module wrapper trained in a project function that reloads its own best state: the ViT is still fed ImageNet
    # statistics where its augreg weights expect 0.5.
    result = audit({"train.py": WRAPPER.replace("MEAN_STD", IMAGENET)})
    found = hygiene(result)
    assert {f.rule for f in found} == {"preprocessing-mismatch"} and len(found) == 2  # the train and the val pipelines
    assert all(f.component == "timm:vit_base_patch16_224.augreg2_in21k_ft_in1k" for f in found)
    assert all(f.locations[0].line == 28 and "instead of mean (0.5, 0.5, 0.5)" in f.message for f in found)


def test_a_wrapper_module_fed_its_weights_statistics_is_clean(audit) -> None:
    assert hygiene(audit({"train.py": WRAPPER.replace("MEAN_STD", "mean=[0.5] * 3, std=[0.5] * 3")})) == []


# ------------------------------------------------------------------------------------- weights replaced


def test_weights_replaced_from_a_checkpoint_are_not_judged(audit) -> None:
    # A fine-tuned checkpoint trained with its own preprocessing: the pretrained config no longer describes it.
    code = """
        import torch
        import torchvision
        from torchvision import transforms
        from torchvision.models import ResNet50_Weights
        from PIL import Image

        model = torchvision.models.resnet50(weights=ResNet50_Weights.DEFAULT)
        model.fc = torch.nn.Linear(model.fc.in_features, 2)
        LOAD
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5]),
                                 transforms.Resize(size=(512, 512))])
        out = model(tf(Image.open("eye.png")).unsqueeze(0))
    """
    state = "{k.replace('net.model.', ''): v for k, v in torch.load('epoch_018.ckpt')['state_dict'].items()}"
    assert hygiene(audit({"classify.py": code.replace("LOAD", f"model.load_state_dict({state})")})) == []
    assert rules(audit({"classify.py": code.replace("LOAD", "")})) == [("preprocessing-mismatch", "torchvision:ResNet50_Weights.IMAGENET1K_V2")]


def test_an_untrained_build_given_a_checkpoint_is_not_untrained(audit) -> None:
    code = """
        import torch
        import torch.nn as nn
        from torchvision import models

        model = models.resnet50(weights=None)
        LOAD
        model.fc = nn.Linear(model.fc.in_features, 10)  # fine-tune on our classes
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    """
    assert hygiene(audit({"train.py": code.replace("LOAD", "model.load_state_dict(torch.load('resnet50-0676ba61.pth'))")})) == []
    assert rules(audit({"train.py": code.replace("LOAD", "")})) == [("untrained-backbone", "torchvision:resnet50")]


# ------------------------------------------------------------------------------ values and sizes, read exactly


def test_a_mean_that_depends_on_a_branch_is_not_compared(audit) -> None:
    code = """
        import timm
        import torchvision
        import torchvision.transforms as transforms

        if DATASET == "cifar10":
            mean, std = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)
        else:
            mean, std = (0.5071, 0.4867, 0.4408), (0.2675, 0.2565, 0.2761)
        tf = transforms.Compose([transforms.Resize(384), transforms.ToTensor(), transforms.Normalize(mean, std)])
        net = timm.create_model("vit_base_patch16_384", pretrained=True)
        for x, y in torchvision.datasets.CIFAR10("data", transform=tf):
            net(x[None])
    """
    assert hygiene(audit({"train.py": code.replace("DATASET", "'cifar10'")})) == []
    single = code.replace("        else:\n            mean, std = (0.5071, 0.4867, 0.4408), (0.2675, 0.2565, 0.2761)\n", "")
    assert rules(audit({"train.py": single.replace("DATASET", "'cifar10'")})) == [
        ("preprocessing-mismatch", "timm:vit_base_patch16_384.augreg_in21k_ft_in1k")]


@pytest.mark.parametrize(("resize", "reported"), [(255, False), (256, False), (240, True)])
def test_a_resize_within_two_percent_is_not_reported(audit, resize: int, reported: bool) -> None:
    # DenseNet-121 weights: resize 256, crop 224. 255 is a hand-copied rounding, 240 is another recipe.
    result = audit({"infer.py": f"""
        from PIL import Image
        from torchvision import models, transforms
        model = models.densenet121(pretrained=True).eval()
        tf = transforms.Compose([transforms.Resize({resize}), transforms.CenterCrop(224), transforms.ToTensor(),
                                 transforms.Normalize({IMAGENET})])
        model(tf(Image.open("a.jpg")).unsqueeze(0))
    """})
    assert bool(hygiene(result)) is reported


@pytest.mark.parametrize(("chain", "rule"), [
    (".float().div(255).sub(MEAN).div(STD)", None),
    (".float().div(255)", "missing-normalization"),
    (".float().div(255).clamp(0, 1)", None),  # an operation whose effect is not known: the path is not complete
    (".float().div(255).sub(0.5).div(0.5)", "preprocessing-mismatch"),
])
def test_tensor_arithmetic_methods_are_steps(audit, chain: str, rule: str | None) -> None:
    result = audit({"infer.py": f"""
        import torch
        from torchvision.io import read_image
        from torchvision.models import resnet18
        MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
        STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
        model = resnet18(weights="IMAGENET1K_V1").eval()
        x = read_image("a.jpg"){chain}
        model(x.unsqueeze(0))
    """})
    assert [f.rule for f in hygiene(result)] == ([rule] if rule else [])


def test_a_pil_resize_then_totensor_only_is_missing_normalization(audit) -> None:
    # The LayoutLM tutorial's shape: PIL resize, ToTensor, a ResNet trunk built from the model's children.
    code = """
        import torch
        import torchvision
        from PIL import Image
        from torchvision.transforms import ToTensor

        image = Image.open("doc.png").convert("RGB")
        resized_image = image.copy().resize((224, 224))
        image = ToTensor()(resized_image).unsqueeze(0)STEP
        model = torchvision.models.resnet101(pretrained=True)
        model = torch.nn.Sequential(*(list(model.children())[:-3]))
        with torch.no_grad():
            feature_map = model(image)
    """
    f = only(audit({"embed.py": code.replace("STEP", "")}), "missing-normalization")
    assert f.component == "torchvision:ResNet101_Weights.IMAGENET1K_V1" and f.hygiene.found["resize"] == [224, 224]
    normalized = "\nimage = torchvision.transforms.functional.normalize(image, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])"
    assert hygiene(audit({"embed.py": code.replace("STEP", normalized.replace("\n", "\n        "))})) == []


def test_enumerate_and_variable_pass_the_data_through(audit) -> None:
    f = only(audit({"train.py": """
        import torch
        from torch.autograd import Variable
        from torchvision import datasets, models, transforms
        tf = transforms.Compose([transforms.RandomResizedCrop(224), transforms.ToTensor()])
        loader = torch.utils.data.DataLoader(datasets.ImageFolder("train", transform=tf))
        model = models.vgg16(pretrained=True)
        for i, (images, labels) in enumerate(loader):
            out = model(Variable(images))
    """}), "missing-normalization")
    assert f.locations[0].line == 9


# ----------------------------------------------------------------------------------------- processors


def test_one_id_with_several_candidates_is_not_another_processor(audit) -> None:
    # model_id takes two values (notebook cells redefine it): the processor and the model load the same one each time.
    last = ("from transformers import AutoImageProcessor, AutoModel\n"
            "processor = AutoImageProcessor.from_pretrained(model_id)\nmodel = AutoModel.from_pretrained(model_id)\n"
            "out = model(**processor(images=img, return_tensors='pt'))")
    cells = ['model_id = "models/vit-a"', 'model_id = "models/clip-b"', last]
    notebook = {"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None} for c in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    result = audit({"demo.ipynb": json.dumps(notebook)}, configs={"models/vit-a": VIT_CONFIG, "models/clip-b": CLIP_CONFIG})
    assert hygiene(result) == []


# ------------------------------------------------------------------------------ Hub models in the snapshot


@pytest.mark.parametrize(("normalize", "reported"), [(IMAGENET, False), ("mean=[0.5] * 3, std=[0.5] * 3", True)])
def test_dinov2_from_the_snapshot_is_judged(audit, normalize: str, reported: bool) -> None:
    # facebook/dinov2-base: resize 256 (bicubic), crop 224, ImageNet statistics (the conversion script's processor).
    result = audit({"embed.py": f"""
        from PIL import Image
        from torchvision import transforms
        from transformers import AutoModel
        model = AutoModel.from_pretrained("facebook/dinov2-base")
        tf = transforms.Compose([transforms.Resize(256, interpolation=transforms.InterpolationMode.BICUBIC),
                                 transforms.CenterCrop(224), transforms.ToTensor(), transforms.Normalize({normalize})])
        out = model(pixel_values=tf(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
    """})
    found = hygiene(result)
    assert [f.component for f in found] == (["hf:facebook/dinov2-base"] if reported else [])


@pytest.mark.parametrize(("normalize", "reported"), [(IMAGENET, False), ("mean=[0.5] * 3, std=[0.5] * 3", True)])
def test_a_new_head_on_a_pretrained_backbone_chooses_its_own_size(audit, normalize: str, reported: bool) -> None:
    # NielsRogge's DINOv2 linear segmentation notebook: a project subclass of Dinov2PreTrainedModel trained at 448;
    # the size is the new model's design, the backbone's normalization still matters.
    result = audit({"seg.py": f"""
        from PIL import Image
        from torchvision import transforms
        from transformers import Dinov2Model, Dinov2PreTrainedModel

        class Dinov2ForSemanticSegmentation(Dinov2PreTrainedModel):
            def __init__(self, config):
                super().__init__(config)
                self.dinov2 = Dinov2Model(config)

        model = Dinov2ForSemanticSegmentation.from_pretrained("facebook/dinov2-base", num_labels=3)
        tf = transforms.Compose([transforms.Resize((448, 448)), transforms.ToTensor(), transforms.Normalize({normalize})])
        out = model(pixel_values=tf(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
    """})
    found = hygiene(result)
    assert [(f.component, "448" in f.message) for f in found] == ([("hf:facebook/dinov2-base", False)] if reported else [])


def test_a_normalized_input_changed_by_an_unknown_layer_is_not_judged(audit) -> None:
    # forward feeds the backbone what a learned adapter makes of the input: what the ViT sees is not known.
    code = WRAPPER.replace("MEAN_STD", IMAGENET).replace(
        "self.vit.head = nn.Linear(self.vit.head.in_features, num_classes)",
        "self.vit.head = nn.Linear(self.vit.head.in_features, num_classes)\n            self.adapter = nn.Conv2d(3, 3, 1)",
    ).replace("return self.vit(x)", "return self.vit(self.adapter(x))")
    assert "self.adapter(x)" in code
    assert hygiene(audit({"train.py": code})) == []


def test_an_untrained_build_offered_next_to_the_pretrained_one_is_on_purpose(audit) -> None:
    code = """
        import torch
        import torch.nn as nn
        from torchvision import models

        def get_resnet50(num_classes=7, pretrained=True):
            if pretrained:
                model = models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2)
            else:
                model = models.resnet50(weights=None)
            model.fc = nn.Linear(model.fc.in_features, num_classes)
            return model

        model = get_resnet50(PRETRAINED)
        optimizer = torch.optim.Adam(model.parameters())
    """
    assert hygiene(audit({"train.py": code.replace("PRETRAINED", "pretrained=False")})) == []
    alone = code.replace("""            if pretrained:
                model = models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2)
            else:
                model = models.resnet50(weights=None)""", "            model = models.resnet50(weights=None)")
    assert rules(audit({"train.py": alone.replace("PRETRAINED", "")})) == [("untrained-backbone", "torchvision:resnet50")]


DATASET_CLASS = """
    import os
    import timm
    import torch
    import torchvision.transforms as T
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset

    class Unsupervised(Dataset):
        def __init__(self, root):
            self.preprocess = T.Compose([T.Resize(SIZE), T.CenterCrop(SIZE), T.ToTensor(),
                                         T.Normalize((.5, .5, .5), (.5, .5, .5))])
            self.root = root
            self.files = os.listdir(root)

        def __getitem__(self, idx):
            img = Image.open(os.path.join(self.root, self.files[idx])).convert("RGB")
            return self.preprocess(img), self.files[idx]

    def cluster(root):
        dataset = Unsupervised(root)
        imgs = []
        for i in range(0, 500):
            img, name = dataset[i]
            imgs.append(img)
        inception = timm.create_model("inception_v4", pretrained=True)
        return inception(torch.stack(imgs))

    def embed_all(root):
        inception = timm.create_model("inception_v4", pretrained=True)
        for batch, names in DataLoader(Unsupervised(root), batch_size=8):
            inception(batch)
"""


@pytest.mark.parametrize(("resize", "crop", "reported"), [(224, 224, True), (341, 299, False)])
def test_a_dataset_class_that_builds_its_transform_is_read_through_getitem(audit, tmp_path, resize, crop, reported) -> None:
    # timm inception_v4 (tf_in1k): resize 341, crop 299, the inception mean/std 0.5. Indexing the dataset (into a
    # list then torch.stack) and iterating a DataLoader over it both reach the model with the dataset's transform.
    code = DATASET_CLASS.replace("T.Resize(SIZE), T.CenterCrop(SIZE)", f"T.Resize({resize}), T.CenterCrop({crop})")
    found = hygiene(audit({"cluster.py": code}))
    assert [f.rule for f in found] == (["preprocessing-mismatch"] if reported else [])
    assert all("224x224 instead of 299x299" in f.message for f in found)
    paths = discover(tmp_path / "project", cache=False, jobs=1).hygiene
    assert sorted(o.location.line for o in paths) == [27, 32]


def test_a_wrapper_attribute_called_from_outside_is_its_model(audit) -> None:
    # model.image_encoder(x): the sub-module the wrapper stores, called directly.
    code = f"""
        import timm
        import torch.nn as nn
        from PIL import Image
        from torchvision import transforms

        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.image_encoder = timm.create_model("vit_base_patch16_224.augreg2_in21k_ft_in1k", pretrained=True)

        model = Encoder()
        tf = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), transforms.Normalize(NORM)])
        features = model.image_encoder(tf(Image.open("a.jpg")).unsqueeze(0))
    """
    assert rules(audit({"embed.py": code.replace("NORM", IMAGENET)})) == [
        ("preprocessing-mismatch", "timm:vit_base_patch16_224.augreg2_in21k_ft_in1k")]
    assert hygiene(audit({"embed.py": code.replace("NORM", "mean=[0.5] * 3, std=[0.5] * 3")})) == []
