"""The settings table: one row per setting, the only place a setting is spelled out.

A row gives the setting's flag, environment variable, ini key, default, parser, help, ``--help``
group and example, and whether it is a secret, repeatable or a boolean flag. Everything else is
derived from it: the options and ini keys :mod:`pytest_sender.plugin` registers (with their help,
groups and defaults), the defaults of :class:`pytest_sender.settings.Settings` (a field there names
only its type), and the resolution order. Only exceptions are spelled out, as row fields
(``flag_help`` where a flag needs more words than its ini key).

Kept apart from :mod:`pytest_sender.settings` and free of dataclasses and regular expressions,
because the plugin reads it on every pytest start (to register the options) even when it is
inert. So a row names its parser (a function :mod:`pytest_sender.settings` registers under its own
name with ``@setting_parser``) and gives its default as the text a user would write, which that
parser turns into the value; ``settings.py`` refuses to import if a row names a parser it does not
have, or if ``Settings`` and this table disagree on the settings.

PYTEST_DONT_REWRITE: loaded at every pytest start; no test asserts here.
"""

from __future__ import annotations

__all__ = ["DEFAULT_API_URL", "GROUPS", "SETTINGS", "SPECS_BY_NAME", "SettingSpec"]

DEFAULT_API_URL = "https://api.sender.net/v2"

#: The option groups of ``pytest --help``, in order: (key, title). A row names its group by key;
#: ``sender`` is the main group, which also holds the mode flags.
GROUPS: tuple[tuple[str, str], ...] = (
    ("sender", "preflight"),
    ("sender-dns", "DNS"),
    ("sender-smtp", "SMTP"),
    ("sender-live", "live smoke"),
    ("sender-health", "delivery health"),
    ("sender-content", "content and spam score"),
    ("sender-reports", "reports (GitHub Actions, HTML)"),
)


class SettingSpec:
    """One row of the settings table.

    ``parse`` names the parser in :mod:`pytest_sender.settings`; ``default`` is the raw text that
    parser reads when nothing sets the setting (``None``: not set, an empty tuple for a repeatable
    setting, off for a boolean); ``--help`` shows it, or ``example`` when there is none.
    """

    __slots__ = (
        "boolean",
        "default",
        "env",
        "example",
        "flag",
        "flag_help",
        "group",
        "help",
        "ini",
        "multi",
        "name",
        "parse",
        "secret",
    )

    def __init__(
        self,
        name: str,
        help: str,
        parse: str,
        example: str,
        *,
        group: str,
        default: str | None = None,
        flag: str | None = None,
        env: str | None = None,
        ini: str | None = None,
        multi: bool = False,  # repeatable flag, comma-separated env, linelist ini
        secret: bool = False,  # env (or env_FILE) only
        boolean: bool = False,  # a flag without a value
        flag_help: str | None = None,  # the flag's help when it says more than ``help`` (the ini key's)
    ) -> None:
        self.name, self.parse, self.default, self.example = name, parse, default, example
        self.flag, self.env, self.ini = flag, env, ini  # where a value can come from
        self.multi, self.secret, self.boolean = multi, secret, boolean  # what kind of value
        self.help, self.flag_help, self.group = help, flag_help, group  # how --help shows it

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
        default=DEFAULT_API_URL,
        group="sender",
    ),
    SettingSpec(
        "api_token",
        "Sender API token (secret)",
        "parse_secret",
        "a token from Account settings → API access tokens",
        env="SENDER_API_TOKEN",
        secret=True,
        group="sender",
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
        group="sender-dns",
    ),
    SettingSpec(
        "domains_file",
        "file of sending domains to check, one a line (# comments); added to --sender-domain's",
        "parse_domains_file",
        "domains.txt",
        flag="--sender-domains-file",
        env="SENDER_DOMAINS_FILE",
        ini="sender_domains_file",
        group="sender-dns",
    ),
    SettingSpec(
        "dkim_selector",
        "DKIM selector of the sending domains",
        "parse_selector",
        "sender",
        flag="--sender-dkim-selector",
        env="SENDER_DKIM_SELECTOR",
        ini="sender_dkim_selector",
        default="sender",
        group="sender-dns",
    ),
    SettingSpec(
        "spf_include",
        "the SPF include Sender needs",
        "parse_domain",
        "sendersrv.com",
        flag="--sender-spf-include",
        env="SENDER_SPF_INCLUDE",
        ini="sender_spf_include",
        default="sendersrv.com",
        group="sender-dns",
    ),
    SettingSpec(
        "smtp_host",
        "Sender SMTP relay host",
        "parse_host",
        "smtp.sender.net",
        flag="--sender-smtp-host",
        env="SENDER_SMTP_HOST",
        ini="sender_smtp_host",
        default="smtp.sender.net",
        group="sender-smtp",
    ),
    SettingSpec(
        "smtp_ports",
        "SMTP ports to probe, comma-separated",
        "parse_port_list",
        "587,2525,25",
        flag="--sender-smtp-ports",
        env="SENDER_SMTP_PORTS",
        ini="sender_smtp_ports",
        default="587,2525,25",
        group="sender-smtp",
    ),
    SettingSpec(
        "smtp_username",
        "SMTP user (secret)",
        "parse_secret",
        "the user from Transactional emails → Setup instructions → SMTP",
        env="SENDER_SMTP_USERNAME",
        secret=True,
        group="sender-smtp",
    ),
    SettingSpec(
        "smtp_password",
        "SMTP password (secret)",
        "parse_secret",
        "the password of that SMTP user",
        env="SENDER_SMTP_PASSWORD",
        secret=True,
        group="sender-smtp",
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
        group="sender-dns",
    ),
    SettingSpec(
        "dnssec_trust_anchor",
        "where dns.dnssec's chain of trust starts: root (the IANA root key KSK-2017), a file of DS or "
        "DNSKEY records in zone-file form, or one such record itself (a value holding a space that is "
        "not a file's path)",
        "parse_dnssec_trust_anchor",
        "example.com. IN DS 12345 13 2 <64 hex digits>",
        flag="--sender-dnssec-trust-anchor",
        env="SENDER_DNSSEC_TRUST_ANCHOR",
        ini="sender_dnssec_trust_anchor",
        default="root",
        group="sender-dns",
    ),
    SettingSpec(
        "timeout",
        "network timeout in seconds",
        "parse_timeout",
        "5",
        flag="--sender-timeout",
        env="SENDER_TIMEOUT",
        ini="sender_timeout",
        default="5",
        group="sender",
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
        flag_help="treat preflight warnings, and a missing token, domain or live-smoke setting, as failures",
        group="sender",
    ),
    SettingSpec(
        "full_table",
        "show every row of the terminal table, also past 200 findings (folded there to the counts by check "
        "and the rows that are not a pass; the JSON report always has every finding)",
        "parse_bool",
        "true",
        flag="--sender-full-table",
        env="SENDER_FULL_TABLE",
        ini="sender_full_table",
        boolean=True,
        group="sender",
    ),
    SettingSpec(
        "report",
        "write the JSON report to this path",
        "parse_path",
        "sender-report.json",
        flag="--sender-report",
        env="SENDER_REPORT",
        ini="sender_report",
        group="sender",
    ),
    SettingSpec(
        "inbox",
        "live smoke inbox imaps://USER@HOST[:PORT]",
        "parse_inbox",
        "imaps://qa@mail.example.com:993",
        flag="--sender-inbox",
        env="SENDER_INBOX_URL",
        ini="sender_inbox",
        group="sender-live",
    ),
    SettingSpec(
        "inbox_password",
        "live smoke inbox password (secret)",
        "parse_secret",
        "the IMAP password of the inbox",
        env="SENDER_INBOX_PASSWORD",
        secret=True,
        group="sender-live",
    ),
    SettingSpec(
        "recipient",
        "live smoke recipient address",
        "parse_email",
        "qa+sender@example.com",
        flag="--sender-recipient",
        env="SENDER_RECIPIENT",
        ini="sender_recipient",
        group="sender-live",
    ),
    SettingSpec(
        "sender_from",
        "live smoke From address",
        "parse_email",
        "noreply@example.com",
        flag="--sender-from",
        env="SENDER_FROM",
        ini="sender_from",
        group="sender-live",
    ),
    SettingSpec(
        "template_id",
        "live smoke transactional campaign id",
        "parse_template_id",
        "ep2W4y",
        flag="--sender-template-id",
        env="SENDER_TEMPLATE_ID",
        ini="sender_template_id",
        group="sender-live",
    ),
    SettingSpec(
        "live_timeout",
        "live smoke: seconds to wait for each message to arrive",
        "parse_timeout",
        "120",
        flag="--sender-live-timeout",
        env="SENDER_LIVE_TIMEOUT",
        ini="sender_live_timeout",
        default="120",
        group="sender-live",
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
        group="sender-live",
    ),
    SettingSpec(
        "live_variables",
        "live smoke: template variables to send (a JSON object)",
        "parse_live_variables",
        '{"order_id": "A-1001"}',
        flag="--sender-live-variables",
        env="SENDER_LIVE_VARIABLES",
        ini="sender_live_variables",
        group="sender-live",
    ),
    # --- dns.mx-tls (issue 19) ---
    SettingSpec(
        "mx_tls",
        "dns.mx-tls: connect to port 25 of each MX host of the sending domains and check STARTTLS and "
        "the certificate (off by default: many networks block outbound port 25)",
        "parse_bool",
        "true",
        flag="--sender-mx-tls",
        env="SENDER_MX_TLS",
        ini="sender_mx_tls",
        boolean=True,
        group="sender-dns",
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
        group="sender-health",
    ),
    SettingSpec(
        "health_window",
        "api.health: days of sending to judge",
        "parse_window_days",
        "7",
        flag="--sender-health-window",
        env="SENDER_HEALTH_WINDOW",
        ini="sender_health_window",
        default="7",
        group="sender-health",
    ),
    SettingSpec(
        "health_complaints",
        "api.health: spam-complaint rate WARN,FAIL in percent",
        "parse_rate_threshold",
        "0.1,0.3",
        flag="--sender-health-complaints",
        env="SENDER_HEALTH_COMPLAINTS",
        ini="sender_health_complaints",
        default="0.1,0.3",
        group="sender-health",
    ),
    SettingSpec(
        "health_hard_bounces",
        "api.health: hard-bounce rate WARN,FAIL in percent",
        "parse_rate_threshold",
        "2,5",
        flag="--sender-health-hard-bounces",
        env="SENDER_HEALTH_HARD_BOUNCES",
        ini="sender_health_hard_bounces",
        default="2,5",
        group="sender-health",
    ),
    SettingSpec(
        "health_soft_bounces",
        "api.health: soft-bounce rate WARN,FAIL in percent",
        "parse_rate_threshold",
        "5,10",
        flag="--sender-health-soft-bounces",
        env="SENDER_HEALTH_SOFT_BOUNCES",
        ini="sender_health_soft_bounces",
        default="5,10",
        group="sender-health",
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
        group="sender-content",
    ),
    SettingSpec(
        "spamd",
        "spamd HOST:PORT to score messages with (default: start Debian's spamd on loopback when installed)",
        "parse_spamd",
        "127.0.0.1:783",
        flag="--sender-spamd",
        env="SENDER_SPAMD",
        ini="sender_spamd",
        group="sender-content",
    ),
    SettingSpec(
        "spam_score",
        "SpamAssassin score WARN,FAIL in points",
        "parse_score_threshold",
        "3,5",
        flag="--sender-spam-score",
        env="SENDER_SPAM_SCORE",
        ini="sender_spam_score",
        default="3,5",
        group="sender-content",
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
        default="auto",
        group="sender-reports",
    ),
    SettingSpec(
        "html",
        "write the self-contained HTML report to this path",
        "parse_path",
        "sender-report.html",
        flag="--sender-html",
        env="SENDER_HTML",
        ini="sender_html",
        group="sender-reports",
    ),
)

SPECS_BY_NAME = {spec.name: spec for spec in SETTINGS}
