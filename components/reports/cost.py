"""The monthly observability bill of a stack, estimated from its inventory and one price table.

Counted: alarms (standard and high resolution, priced per metric they read, so metric math counts
each input), composite alarms, dashboards, custom (EMF) metrics, log ingestion and storage (from
each group's retention), the OpenSearch domain's instance and storage hours, Kinesis shards and
PUT units, and X-Ray traces at the configured sampling. What the inventory cannot know (how much a
function logs, how much traffic arrives) is an explicit, printed assumption. Free tiers, taxes
and data transfer are left out: an estimate to compare stacks and changes, not a quote.
"""
from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.preview.views.metric_rows import UnknownMetricShape, graph_lines
from components.reports.inventory import MetricKey, StackInventory

PRICING_FILE = Path(__file__).with_name("pricing.toml")
SECONDS_PER_MONTH = 730 * 3600
DAYS_PER_MONTH = 730 / 24


class CostInputError(ValueError):
    """A price the table lacks or an assumption that makes no sense."""


@dataclass(frozen=True)
class PriceTable:
    region: str
    currency: str
    taken_on: str
    hours_per_month: float
    sources: Mapping[str, str]
    cloudwatch: Mapping[str, float]
    opensearch_storage_gb_month: float
    opensearch_instance_hour: Mapping[str, float]
    kinesis: Mapping[str, float]
    xray: Mapping[str, float]

    @classmethod
    def load(cls, path: Path = PRICING_FILE) -> PriceTable:
        data = tomllib.loads(path.read_text())
        return cls(region=data["region"], currency=data["currency"], taken_on=str(data["taken_on"]),
                   hours_per_month=float(data["hours_per_month"]), sources=dict(data["sources"]),
                   cloudwatch=dict(data["cloudwatch"]),
                   opensearch_storage_gb_month=float(data["opensearch"]["storage_gp3_gb_month"]),
                   opensearch_instance_hour=dict(data["opensearch"]["instance_hour"]), kinesis=dict(data["kinesis"]),
                   xray=dict(data["xray"]))

    def instance_hour(self, instance_type: str) -> float:
        try:
            return self.opensearch_instance_hour[instance_type]
        except KeyError:
            known = ", ".join(sorted(self.opensearch_instance_hour))
            raise CostInputError(f"no price for OpenSearch instance type {instance_type!r} in {PRICING_FILE.name} "
                                 f"(known: {known}); add it from {self.sources.get('opensearch')}") from None


@dataclass(frozen=True)
class Assumptions:
    """What the inventory cannot tell; each is printed with the estimate and can be overridden."""

    log_gb_per_function_month: float = 1.0
    log_gb_per_access_log_month: float = 0.5
    log_gb_per_other_group_month: float = 0.1
    requests_per_second_per_api: float = 5.0
    custom_metrics_per_function: int = 2
    months_kept_without_retention: int = 12

    def __post_init__(self) -> None:
        bad = [f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if getattr(self, f.name) < 0]
        if bad:
            raise CostInputError("assumptions must not be negative: " + ", ".join(bad))

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, str]) -> Assumptions:
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in overrides.items():
            if key not in known:
                raise CostInputError(f"unknown assumption {key!r}; known: {', '.join(sorted(known))}")
            kind = int if known[key].type in ("int", int) else float
            try:
                values[key] = kind(raw)
            except ValueError:
                raise CostInputError(f"assumption {key} must be a number, got {raw!r}") from None
        return cls(**values)

    def statements(self, region: str) -> list[str]:
        return [
            f"Each Lambda function writes {self.log_gb_per_function_month:g} GB of logs a month "
            f"(log_gb_per_function_month); each API access log {self.log_gb_per_access_log_month:g} GB "
            f"(log_gb_per_access_log_month); every other log group {self.log_gb_per_other_group_month:g} GB "
            "(log_gb_per_other_group_month).",
            "Stored log size equals ingested size (CloudWatch compresses archived logs, so the real figure is lower); "
            f"a group kept forever is counted after {self.months_kept_without_retention} months "
            "(months_kept_without_retention).",
            f"Each API stage receives {self.requests_per_second_per_api:g} requests per second, every second of the "
            "month (requests_per_second_per_api); each request is one trace.",
            f"Each function emits {self.custom_metrics_per_function} custom EMF metrics that no dashboard or alarm "
            "reads (custom_metrics_per_function), besides those they do read, which are counted from the inventory.",
            "Logs shipped through Kinesis take one PUT payload unit (25 KB) per 25 KB of log data.",
            f"A month is {DAYS_PER_MONTH:.2f} days (730 hours); the stack is in {region}.",
        ]


@dataclass(frozen=True)
class CostLine:
    category: str
    item: str
    quantity: float
    unit: str
    unit_price: float

    @property
    def monthly(self) -> float:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class CostEstimate:
    stack: str
    region: str
    prices: PriceTable
    assumptions: Assumptions
    lines: tuple[CostLine, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    def by_category(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for line in self.lines:
            totals[line.category] = totals.get(line.category, 0.0) + line.monthly
        return totals

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack, "region": self.region, "currency": self.prices.currency,
            "prices": {"region": self.prices.region, "taken_on": self.prices.taken_on, "sources": dict(self.prices.sources)},
            "total_monthly": round(self.total, 2),
            "by_category": {k: round(v, 2) for k, v in self.by_category().items()},
            "lines": [{"category": l.category, "item": l.item, "quantity": l.quantity, "unit": l.unit,
                       "unit_price": l.unit_price, "monthly": round(l.monthly, 2)} for l in self.lines],
            "assumptions": dataclasses.asdict(self.assumptions),
            "notes": list(self.notes),
        }


def custom_metrics(inventory: StackInventory) -> set[MetricKey]:
    """Metrics outside the ``AWS/`` namespaces that the stack's dashboards and alarms read (EMF metrics)."""
    found = {m for alarm in inventory.alarms for m in alarm.metrics}
    for dashboard in inventory.dashboards:
        for widget in dashboard.body.get("widgets", []):
            if widget.get("type") != "metric":
                continue
            try:
                found |= {line.metric for line in graph_lines(widget["properties"]) if line.metric}
            except UnknownMetricShape:
                continue  # the limit checks report it
    return {m for m in found if not m.namespace.startswith("AWS/")}


def _alarm_lines(inventory: StackInventory, p: PriceTable) -> list[CostLine]:
    standard = [a for a in inventory.alarms if not a.high_resolution]
    high = [a for a in inventory.alarms if a.high_resolution]
    lines = []
    for group, kind, price in ((standard, "standard-resolution", "alarm_metric_standard_month"),
                               (high, "high-resolution", "alarm_metric_high_resolution_month")):
        single = [a for a in group if a.metric is not None]
        math = [a for a in group if a.metric is None]
        if single:
            lines.append(CostLine("alarms", f"{kind} alarms on one metric ({len(single)})", len(single),
                                  "alarm metrics", p.cloudwatch[price]))
        if math:
            metrics = sum(len(a.metrics) for a in math)
            lines.append(CostLine("alarms", f"{kind} metric-math alarms ({len(math)}), billed per metric read",
                                  metrics, "alarm metrics", p.cloudwatch[price]))
    if inventory.composites:
        lines.append(CostLine("alarms", "composite alarms", len(inventory.composites), "alarms",
                              p.cloudwatch["composite_alarm_month"]))
    return lines


def _log_lines(inventory: StackInventory, p: PriceTable, a: Assumptions) -> list[CostLine]:
    ingested = stored = 0.0
    for group in inventory.log_groups:
        if group.name in inventory.function_log_groups:
            monthly = a.log_gb_per_function_month
        elif group.name in inventory.access_log_groups:
            monthly = a.log_gb_per_access_log_month
        else:
            monthly = a.log_gb_per_other_group_month
        ingested += monthly
        days = group.retention_days if group.retention_days else a.months_kept_without_retention * DAYS_PER_MONTH
        stored += monthly / DAYS_PER_MONTH * days
    if not inventory.log_groups:
        return []
    return [CostLine("logs", f"log ingestion ({len(inventory.log_groups)} log groups)", round(ingested, 6), "GB",
                     p.cloudwatch["logs_ingestion_gb"]),
            CostLine("logs", "log storage at steady state (each group's retention)", round(stored, 6), "GB-months",
                     p.cloudwatch["logs_storage_gb_month"])]


def _opensearch_lines(inventory: StackInventory, p: PriceTable) -> list[CostLine]:
    lines = []
    for d in inventory.domains:
        lines.append(CostLine("opensearch", f"{d.name}: {d.instance_count} x {d.instance_type} data nodes",
                              d.instance_count * p.hours_per_month, "instance-hours", p.instance_hour(d.instance_type)))
        if d.master_count and d.master_type:
            lines.append(CostLine("opensearch", f"{d.name}: {d.master_count} x {d.master_type} dedicated masters",
                                  d.master_count * p.hours_per_month, "instance-hours", p.instance_hour(d.master_type)))
        lines.append(CostLine("opensearch", f"{d.name}: {d.volume_gb} GB {d.volume_type} per data node",
                              d.volume_gb * d.instance_count, "GB-months", p.opensearch_storage_gb_month))
    return lines


def _kinesis_lines(inventory: StackInventory, p: PriceTable, a: Assumptions) -> list[CostLine]:
    if not inventory.streams:
        return []
    shards = sum(count for _, count in inventory.streams)
    shipped_gb = (len(inventory.function_log_groups) * a.log_gb_per_function_month
                  + len(inventory.access_log_groups) * a.log_gb_per_access_log_month)
    units_million = shipped_gb * 1_000_000 / 25 / 1_000_000
    return [CostLine("kinesis", f"shards ({', '.join(n for n, _ in inventory.streams)})", shards * p.hours_per_month,
                     "shard-hours", p.kinesis["shard_hour"]),
            CostLine("kinesis", "PUT payload units for shipped logs", round(units_million, 6), "million units",
                     p.kinesis["put_payload_units_million"])]


def sampled_per_second(requests_per_second: float, reservoir: int, rate: float) -> float:
    """X-Ray records the reservoir's requests each second, then ``rate`` of the rest."""
    return min(requests_per_second, reservoir) + rate * max(0.0, requests_per_second - reservoir)


def _xray_lines(inventory: StackInventory, p: PriceTable, a: Assumptions) -> list[CostLine]:
    if not inventory.sampling_rules or not inventory.api_stages:
        return []
    rule = inventory.sampling_rules[0]
    traffic = a.requests_per_second_per_api * inventory.api_stages
    traces = sampled_per_second(traffic, rule.reservoir_per_second, rule.fixed_rate) * SECONDS_PER_MONTH
    return [CostLine("x-ray", f"traces recorded ({traffic:g} req/s, reservoir {rule.reservoir_per_second}/s, "
                     f"then {rule.fixed_rate:g} sampled)", round(traces / 1_000_000, 6), "million traces",
                     p.xray["traces_recorded_million"])]


def estimate(inventory: StackInventory, prices: PriceTable, assumptions: Assumptions = Assumptions()) -> CostEstimate:
    custom = custom_metrics(inventory)
    extra = assumptions.custom_metrics_per_function * len(inventory.functions)
    lines = [
        *_alarm_lines(inventory, prices),
        CostLine("dashboards", "dashboards", len(inventory.dashboards), "dashboards", prices.cloudwatch["dashboard_month"]),
        CostLine("metrics", f"custom EMF metrics ({len(custom)} read by dashboards and alarms, {extra} assumed)",
                 len(custom) + extra, "metrics", prices.cloudwatch["custom_metric_month"]),
        *_log_lines(inventory, prices, assumptions),
        *_opensearch_lines(inventory, prices),
        *_kinesis_lines(inventory, prices, assumptions),
        *_xray_lines(inventory, prices, assumptions),
    ]
    notes = []
    if inventory.region != prices.region:
        notes.append(f"The stack is in {inventory.region} but the price table is for {prices.region}; "
                     "prices differ by region.")
    return CostEstimate(inventory.stack, inventory.region, prices, assumptions, tuple(lines), tuple(notes))


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _price(value: float) -> str:
    """Unit prices keep their significant decimals ($0.073, $0.0055) but never fewer than two ($0.10)."""
    whole, _, decimals = f"{value:,.4f}".partition(".")
    return f"${whole}.{decimals.rstrip('0').ljust(2, '0')}"


def cost_markdown(est: CostEstimate) -> str:
    p = est.prices
    rows = [f"| {l.category} | {l.item} | {l.quantity:,.6g} {l.unit} | {_price(l.unit_price)} | {_money(l.monthly)} |"
            for l in est.lines]
    categories = ", ".join(f"{k} {_money(v)}" for k, v in est.by_category().items())
    sources = "\n".join(f"- {name}: {url}" for name, url in p.sources.items())
    return "\n".join([
        f"# Observability cost estimate: {est.stack}",
        "",
        f"Generated by the offline preview (`make preview STACK={est.stack}`); `python -m components.preview.cost "
        f"{est.stack} --json` prints it as JSON and takes other assumptions. Monthly, in {p.currency}, from the "
        f"{p.region} list prices taken on {p.taken_on} (`components/reports/pricing.toml`). Free tiers, taxes "
        "and data transfer are not included.",
        "",
        f"**Total: {_money(est.total)} a month** ({categories}).",
        "",
        "| category | item | quantity | unit price | per month |",
        "| --- | --- | ---: | ---: | ---: |",
        *rows,
        f"| | **total** | | | **{_money(est.total)}** |",
        "",
        "## Assumptions",
        "",
        *(f"- {s}" for s in est.assumptions.statements(est.region)),
        *(f"- {n}" for n in est.notes),
        "",
        "## Prices from",
        "",
        sources,
        "",
    ])


def cost_json(est: CostEstimate) -> str:
    return json.dumps(est.to_json(), indent=2, sort_keys=True)
