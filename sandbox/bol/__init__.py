"""A stateful bol.com Retailer API v10 sandbox: the wire protocol of
api.bol.com, plus a control API (/_sandbox) to play the buyer, send signed
push notifications as bol does, and inject faults."""

from sandbox.bol.app import create_app
from sandbox.bol.config import BolSandboxConfig, RateLimitRule
from sandbox.bol.state import BolSandbox

__all__ = ["BolSandbox", "BolSandboxConfig", "RateLimitRule", "create_app"]
