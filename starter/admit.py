"""What `ordertide run` and `ordertide worker` do before serving channels:
try each one's credentials, leave out (with one line each) those the
marketplace refuses, and start the rest."""

from starter.console import CommandError, err
from workers.credentials import check_channels, without_refused
from workers.settings import Settings, secrets_file


def warn_if_secrets_are_readable_by_others() -> None:
    # A copy (scp, a backup restore) can lose the mode init gave the file.
    path = secrets_file()
    if path.exists() and path.stat().st_mode & 0o077:
        err.print(f"warning: {path} can be read by others than you; chmod 600 {path}", markup=False, highlight=False)


def warn_if_payloads_are_unencrypted(settings: Settings) -> None:
    """`ordertide run` makes a key file; a worker started on its own does
    not (a second host making its own key could not read the first one's
    payloads). Without one, Temporal keeps order payloads and failure
    messages in the clear: say so, with how to fix it."""
    if settings.codec_key_file is None and not (settings.data_dir / "codec-keys.json").exists():
        err.print(
            f"warning: no codec key file ({settings.data_dir / 'codec-keys.json'} or ORDERTIDE_CODEC_KEY_FILE): "
            "Temporal stores this worker's payloads and failure messages unencrypted; give every worker and "
            "CLI the same key file (README, Personal data)",
            markup=False,
            highlight=False,
        )


async def admit_channels(settings: Settings) -> Settings:
    warn_if_secrets_are_readable_by_others()
    checks = await check_channels(settings.channels)
    for check in checks:
        if check.outcome == "refused":
            err.print(f"{check.line}; not started", markup=False, highlight=False)
        elif check.outcome == "unverified":
            err.print(f"{check.line}; started anyway", markup=False, highlight=False)
    admitted = without_refused(settings, checks)
    if not admitted.channels:
        raise CommandError(
            "no channel passed its credentials check; fix them (`ordertide init --force`) and start again"
        )
    return admitted
