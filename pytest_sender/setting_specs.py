"""The settings table: every setting's flag, environment variable, ini key, help and example.

Kept apart from :mod:`pytest_sender.settings` and free of dataclasses and regular expressions,
because the plugin reads it on every pytest start (to register the options) even when it is
inert. Each row names its parser, a function of :mod:`pytest_sender.settings`, which is imported
only when settings are resolved.

PYTEST_DONT_REWRITE: loaded at every pytest start; no test asserts here.
"""

from __future__ import annotations

__all__ = ["DEFAULT_API_URL", "HELP_DEFAULTS", "HELP_GROUPS", "SETTINGS", "SPECS_BY_NAME", "SettingSpec"]

DEFAULT_API_URL = "https://api.sender.net/v2"


class SettingSpec:
    """One row of the settings table; ``parse`` names the parser in :mod:`pytest_sender.settings`."""

    __slots__ = ("boolean", "env", "example", "flag", "help", "ini", "multi", "name", "parse", "secret")

    def __init__(
        self,
        name: str,
        help: str,
        parse: str,
        example: str,
        *,
        flag: str | None = None,
        env: str | None = None,
        ini: str | None = None,
        multi: bool = False,  # repeatable flag, comma-separated env, linelist ini
        secret: bool = False,  # env (or env_FILE) only
        boolean: bool = False,  # a flag without a value
    ) -> None:
        self.name = name
        self.help = help
        self.parse = parse
        self.example = example
        self.flag = flag
        self.env = env
        self.ini = ini
        self.multi = multi
        self.secret = secret
        self.boolean = boolean

    def __repr__(self) -> str:
        return f"SettingSpec({self.name!r})"


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "api_url",
        "Sender API base URL",
        "parse_api_url",
        DEFAULT_API_URL,
        flag="--sender-api-url",
        env="SENDER_API_URL",
        ini="sender_api_url",
    ),
    SettingSpec(
        "api_token",
        "Sender API token (secret)",
        "parse_secret",
        "a token from Account settings → API access tokens",
        env="SENDER_API_TOKEN",
        secret=True,
    ),
    SettingSpec(
        "domains",
        "sending domain to check (repeatable)",
        "parse_domain",
        "example.com",
        flag="--sender-domain",
        env="SENDER_DOMAINS",
        ini="sender_domains",
        multi=True,
    ),
    SettingSpec(
        "dkim_selector",
        "DKIM selector of the sending domains",
        "parse_selector",
        "sender",
        flag="--sender-dkim-selector",
        env="SENDER_DKIM_SELECTOR",
        ini="sender_dkim_selector",
    ),
    SettingSpec(
        "spf_include",
        "the SPF include Sender needs",
        "parse_domain",
        "sendersrv.com",
        flag="--sender-spf-include",
        env="SENDER_SPF_INCLUDE",
        ini="sender_spf_include",
    ),
    SettingSpec(
        "smtp_host",
        "Sender SMTP relay host",
        "parse_host",
        "smtp.sender.net",
        flag="--sender-smtp-host",
        env="SENDER_SMTP_HOST",
        ini="sender_smtp_host",
    ),
    SettingSpec(
        "smtp_ports",
        "SMTP ports to probe, comma-separated",
        "parse_port_list",
        "587,2525,25",
        flag="--sender-smtp-ports",
        env="SENDER_SMTP_PORTS",
        ini="sender_smtp_ports",
    ),
    SettingSpec(
        "smtp_username",
        "SMTP user (secret)",
        "parse_secret",
        "the user from Transactional emails → Setup instructions → SMTP",
        env="SENDER_SMTP_USERNAME",
        secret=True,
    ),
    SettingSpec(
        "smtp_password",
        "SMTP password (secret)",
        "parse_secret",
        "the password of that SMTP user",
        env="SENDER_SMTP_PASSWORD",
        secret=True,
    ),
    SettingSpec(
        "nameservers",
        "DNS server HOST[:PORT] to query (repeatable)",
        "parse_nameserver",
        "127.0.0.1:5353",
        flag="--sender-nameserver",
        env="SENDER_NAMESERVERS",
        ini="sender_nameservers",
        multi=True,
    ),
    SettingSpec(
        "timeout",
        "network timeout in seconds",
        "parse_timeout",
        "5",
        flag="--sender-timeout",
        env="SENDER_TIMEOUT",
        ini="sender_timeout",
    ),
    SettingSpec(
        "strict",
        "warnings fail the run",
        "parse_bool",
        "true",
        flag="--sender-strict",
        env="SENDER_STRICT",
        ini="sender_strict",
        boolean=True,
    ),
    SettingSpec(
        "report",
        "write the JSON report to this path",
        "parse_path",
        "sender-report.json",
        flag="--sender-report",
        env="SENDER_REPORT",
        ini="sender_report",
    ),
    SettingSpec(
        "inbox",
        "live smoke inbox imaps://USER@HOST[:PORT]",
        "parse_inbox",
        "imaps://qa@mail.example.com:993",
        flag="--sender-inbox",
        env="SENDER_INBOX_URL",
        ini="sender_inbox",
    ),
    SettingSpec(
        "inbox_password",
        "live smoke inbox password (secret)",
        "parse_secret",
        "the IMAP password of the inbox",
        env="SENDER_INBOX_PASSWORD",
        secret=True,
    ),
    SettingSpec(
        "recipient",
        "live smoke recipient address",
        "parse_email",
        "qa+sender@example.com",
        flag="--sender-recipient",
        env="SENDER_RECIPIENT",
        ini="sender_recipient",
    ),
    SettingSpec(
        "sender_from",
        "live smoke From address",
        "parse_email",
        "noreply@example.com",
        flag="--sender-from",
        env="SENDER_FROM",
        ini="sender_from",
    ),
    SettingSpec(
        "template_id",
        "live smoke transactional campaign id",
        "parse_template_id",
        "ep2W4y",
        flag="--sender-template-id",
        env="SENDER_TEMPLATE_ID",
        ini="sender_template_id",
    ),
    SettingSpec(
        "live_timeout",
        "live smoke: seconds to wait for each message to arrive",
        "parse_timeout",
        "120",
        flag="--sender-live-timeout",
        env="SENDER_LIVE_TIMEOUT",
        ini="sender_live_timeout",
    ),
    SettingSpec(
        "live_keep",
        "live smoke: keep the test messages in the inbox instead of deleting them",
        "parse_bool",
        "true",
        flag="--sender-live-keep",
        env="SENDER_LIVE_KEEP",
        ini="sender_live_keep",
        boolean=True,
    ),
    SettingSpec(
        "live_variables",
        "live smoke: template variables to send (a JSON object)",
        "parse_live_variables",
        '{"order_id": "A-1001"}',
        flag="--sender-live-variables",
        env="SENDER_LIVE_VARIABLES",
        ini="sender_live_variables",
    ),
    # --- api health (issue 8) ---
    SettingSpec(
        "campaigns",
        "transactional campaign id whose delivery health api.health checks (repeatable)",
        "parse_template_id",
        "ep2W4y",
        flag="--sender-campaign",
        env="SENDER_CAMPAIGNS",
        ini="sender_campaigns",
        multi=True,
    ),
    SettingSpec(
        "health_window",
        "api.health: days of sending to judge",
        "parse_window_days",
        "7",
        flag="--sender-health-window",
        env="SENDER_HEALTH_WINDOW",
        ini="sender_health_window",
    ),
    SettingSpec(
        "health_complaints",
        "api.health: spam-complaint rate WARN,FAIL in percent",
        "parse_rate_threshold",
        "0.1,0.3",
        flag="--sender-health-complaints",
        env="SENDER_HEALTH_COMPLAINTS",
        ini="sender_health_complaints",
    ),
    SettingSpec(
        "health_hard_bounces",
        "api.health: hard-bounce rate WARN,FAIL in percent",
        "parse_rate_threshold",
        "2,5",
        flag="--sender-health-hard-bounces",
        env="SENDER_HEALTH_HARD_BOUNCES",
        ini="sender_health_hard_bounces",
    ),
    SettingSpec(
        "health_soft_bounces",
        "api.health: soft-bounce rate WARN,FAIL in percent",
        "parse_rate_threshold",
        "5,10",
        flag="--sender-health-soft-bounces",
        env="SENDER_HEALTH_SOFT_BOUNCES",
        ini="sender_health_soft_bounces",
    ),
    # --- content and spam score (issue 17) ---
    SettingSpec(
        "messages",
        "a sample message (.eml) or template (.html) for content.lint and content.spam-score (repeatable)",
        "parse_message_file",
        "emails/welcome.eml",
        flag="--sender-message",
        env="SENDER_MESSAGES",
        ini="sender_messages",
        multi=True,
    ),
    SettingSpec(
        "spamd",
        "spamd HOST:PORT to score messages with (default: start Debian's spamd on loopback when installed)",
        "parse_spamd",
        "127.0.0.1:783",
        flag="--sender-spamd",
        env="SENDER_SPAMD",
        ini="sender_spamd",
    ),
    SettingSpec(
        "spam_score",
        "SpamAssassin score WARN,FAIL in points",
        "parse_score_threshold",
        "3,5",
        flag="--sender-spam-score",
        env="SENDER_SPAM_SCORE",
        ini="sender_spam_score",
    ),
    # --- reports where people look (issue 18) ---
    SettingSpec(
        "github",
        "GitHub Actions output: auto (the step summary and one annotation per finding, when run in Actions), "
        "summary, annotations or off",
        "parse_github_output",
        "off",
        flag="--sender-github",
        env="SENDER_GITHUB",
        ini="sender_github",
    ),
    SettingSpec(
        "html",
        "write the self-contained HTML report to this path",
        "parse_path",
        "sender-report.html",
        flag="--sender-html",
        env="SENDER_HTML",
        ini="sender_html",
    ),
)

SPECS_BY_NAME = {spec.name: spec for spec in SETTINGS}

# Where each setting appears in ``pytest --help`` (one option group per family).
HELP_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sender", "preflight", ("api_url", "api_token", "timeout", "strict", "report")),
    ("sender-dns", "DNS", ("domains", "dkim_selector", "spf_include", "nameservers")),
    ("sender-smtp", "SMTP", ("smtp_host", "smtp_ports", "smtp_username", "smtp_password")),
    (
        "sender-live",
        "live smoke",
        (
            "inbox",
            "inbox_password",
            "recipient",
            "sender_from",
            "template_id",
            "live_timeout",
            "live_keep",
            "live_variables",
        ),
    ),
    (
        "sender-health",
        "delivery health",
        ("campaigns", "health_window", "health_complaints", "health_hard_bounces", "health_soft_bounces"),
    ),
    ("sender-content", "content and spam score", ("messages", "spamd", "spam_score")),
    ("sender-reports", "reports (GitHub Actions, HTML)", ("github", "html")),
)

# The value a setting has when nothing sets it, as ``--help`` shows it (a test keeps these equal to
# what settings.py resolves); settings without one show an example instead.
HELP_DEFAULTS: dict[str, str] = {
    "api_url": DEFAULT_API_URL,
    "dkim_selector": "sender",
    "spf_include": "sendersrv.com",
    "smtp_host": "smtp.sender.net",
    "smtp_ports": "587,2525,25",
    "timeout": "5",
    "live_timeout": "120",
    "health_window": "7",
    "health_complaints": "0.1,0.3",
    "health_hard_bounces": "2,5",
    "health_soft_bounces": "5,10",
    "spam_score": "3,5",
    "github": "auto",
}
