"""Local demo webshops with a ground truth, for trying and testing internettoezicht without internet."""

from plein.demo.webshops.server import Webshops, start_webshops

__all__ = ["Webshops", "start_webshops"]
