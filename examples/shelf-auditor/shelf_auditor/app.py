"""HTTP API of the shelf auditor (served to retail customers)."""

import io

import numpy as np
from fastapi import FastAPI, UploadFile
from PIL import Image

from shelf_auditor.detector import detect_products
from shelf_auditor.segmenter import shelf_rows

app = FastAPI(title="Shelf Auditor")


@app.post("/audit")
async def audit(photo: UploadFile):
    image = Image.open(io.BytesIO(await photo.read())).convert("RGB")
    boxes = detect_products(image)
    rows = shelf_rows(image)
    coverage = float(np.mean([b[4] for b in boxes])) if boxes else 0.0
    return {"products": len(boxes), "rows": len(rows), "mean_confidence": coverage}
