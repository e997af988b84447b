"""Loads a customer's own detector, chosen at run time."""

from ultralytics import YOLO


def load_customer_detector(weights_path):
    # The weights come from the customer's account: not knowable statically.
    return YOLO(weights_path)
