"""Where a supplier portal drops its orders: an SFTP location or a local
folder (one CSV file per order), or an IMAP mailbox (one mail per order).
Passwords live here and in activities only, never in a workflow."""

from datetime import timedelta

from pydantic import BaseModel, Field, SecretStr

from domain.portal_formats import CsvLayout, MailTemplate

# Folders the file drop keeps beside the portal's files, inside its folder.
PROCESSING = "processing"  # claimed by intake, not yet handed over
PROCESSED = "processed"  # handed over; named order number + file hash
REJECTED = "rejected"  # not an order we can read, each with its .error.txt


class SftpLogin(BaseModel):
    host: str
    port: int = 22
    username: str
    password: SecretStr | None = None
    # The environment variable holding password, read when settings load.
    password_env: str | None = None
    # The known_hosts file the server's key must be in (unset: ~/.ssh/known_hosts).
    known_hosts: str | None = None
    # Take whatever key the server shows: only for the loopback sandbox, whose
    # key is new at every start. Never for a real portal.
    accept_any_host_key: bool = False


class FileDropSettings(BaseModel):
    """One CSV file per order in `folder`: on `sftp` when set, else a local folder."""

    folder: str = "orders"
    sftp: SftpLogin | None = None
    layout: CsvLayout = Field(default_factory=CsvLayout)
    # A file written to this recently may still be growing (a portal that
    # writes in place): it is left for a later poll.
    settle: timedelta = timedelta(seconds=2)
    # Files taken per poll, so one poll stays short however many are waiting.
    files_per_poll: int = Field(default=50, ge=1)


class MailboxSettings(BaseModel):
    """One order mail per order in an IMAP mailbox."""

    host: str
    port: int = 993
    tls: bool = True
    username: str
    password: SecretStr | None = None
    password_env: str | None = None
    mailbox: str = "INBOX"
    # Mails that are not an order we can read are moved here, out of the way
    # of the next ones, and reported on the channel's intake until ops deal with them.
    attention_folder: str = "Order mails not understood"
    # The IMAP keyword set on a mail once its order is handed over.
    taken_keyword: str = "OrderTaken"
    template: MailTemplate = Field(default_factory=MailTemplate)
    mails_per_poll: int = Field(default=50, ge=1)
