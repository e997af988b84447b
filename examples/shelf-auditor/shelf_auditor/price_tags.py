"""Reads price tags."""

from transformers import TrOCRProcessor, VisionEncoderDecoderModel

_processor = TrOCRProcessor.from_pretrained("microsoft/trocr-base-printed")
_model = VisionEncoderDecoderModel.from_pretrained("microsoft/trocr-base-printed")


def read_price(tag_image):
    """Return the text printed on a price tag crop."""
    pixel_values = _processor(images=tag_image, return_tensors="pt").pixel_values
    ids = _model.generate(pixel_values)
    return _processor.batch_decode(ids, skip_special_tokens=True)[0]
