"""Knobs of the supplier portal sandbox."""

from pydantic import BaseModel, ConfigDict, Field


class SupplierSandboxConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: str = "sandbox"
    webhook_secret: str = "sandbox-webhook-secret"
    # Where each placed order is pushed (the receiver's supplier endpoint).
    webhook_urls: list[str] = Field(default_factory=list)
    # A push answered with anything but 2xx is sent again, this many times.
    push_attempts: int = Field(default=5, ge=1)
    push_retry_seconds: float = Field(default=0.2, ge=0)
    # The portal takes status updates over its API; False plays the seed's
    # portal, which is updated by hand only (the API answers 405).
    status_api: bool = True
    stock_feed: bool = True
    max_page_size: int = Field(default=100, ge=1)
    # File drop: the portal's own SFTP server serves this folder (none: no
    # file drop), and writes each order's CSV file into `drop_folder` in it.
    sftp_root: str | None = None
    sftp_port: int = 0
    sftp_username: str = "supplier"
    sftp_password: str = "sandbox"
    drop_folder: str = "orders"
    # E-mail: the supplier's mail server (SMTP in, IMAP out) keeps its
    # mailbox here (none: no order mails); each order is mailed to `mail_to`.
    mail_root: str | None = None
    imap_port: int = 0
    smtp_port: int = 0
    mail_username: str = "orders"
    mail_password: str = "sandbox"
    mail_to: str = "orders@supplier.sandbox"
