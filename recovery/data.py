"""Validated input tables turned into the plain dictionaries the model is built from.

``prepare(inputs)`` is pure: no I/O, no Pyomo. Every parameter becomes a dict keyed by tuples of
index keys in the order of the table's index columns (years as ``int``, tiers as ``int``). Optional
tables get their documented defaults here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recovery.case import CaseConfig
from recovery.inputs import InputData
from recovery.schema import FORM_BASIS, MAGNET_MAKING, TABLES_BY_NAME


@dataclass
class ModelData:
    """Everything the model needs, as Python dicts and tuples (see :mod:`recovery.schema`)."""

    config: CaseConfig
    years: tuple[int, ...]
    nations: tuple[str, ...]
    suppliers: tuple[str, ...]
    products: tuple[str, ...]
    preprocesses: tuple[str, ...]
    routes: tuple[str, ...]
    grades: tuple[str, ...]
    elements: tuple[str, ...]
    product_grade: dict[str, str]
    preprocess_output: dict[str, str]
    supplier_home: dict[str, str]
    supplier_kind: dict[str, str]
    p: dict[str, dict] = field(default_factory=dict)

    @property
    def processes(self) -> tuple[str, ...]:
        return (*self.preprocesses, *self.routes, MAGNET_MAKING)

    def items(self, form: str) -> tuple[str, ...]:
        """Keys of one item of a form: products, elements or grades."""
        basis = FORM_BASIS[form]
        return {"product": self.products, "element": self.elements, "grade": self.grades}[basis]

    def sale_price(self, form: str, item: str) -> float:
        """Market price of a tonne of ``item`` of ``form`` (from the form's price table)."""
        table = {
            "oxide": "oxide_price",
            "mixed_oxide": "oxide_price",
            "alloy": "magnet_price",
            "magnet": "magnet_price",
        }.get(form, "scrap_price")
        return self.p[table][form, item]

    def purchase_price(self, supplier: str, form: str, item: str) -> float:
        """Delivered price of a tonne of oxide (per element) or magnet (per grade)."""
        table = "import_price" if form == "oxide" else "magnet_import_price"
        return self.p[table][supplier, item]

    def discount(self, year: int) -> float:
        """Present-value factor of a cost in ``year`` (base: the first modelled year)."""
        return (1.0 + self.config.discount_rate) ** -(year - self.years[0])


def _key(spec_index: tuple[str, ...], row: tuple) -> tuple:
    out = []
    for col, v in zip(spec_index, row):
        out.append(int(v) if col in ("year", "tier") else str(v))
    return tuple(out)


def table_dict(inputs: InputData, name: str, years: set[int] | None = None) -> dict:
    """``{index tuple (or single key): value}`` for one table; history years are dropped."""
    spec = TABLES_BY_NAME[name]
    df = inputs.tables.get(name)
    out: dict = {}
    if df is None:
        return out
    cols = list(spec.index)
    for row, value in zip(df[cols].itertuples(index=False, name=None), df["value"]):
        k = _key(spec.index, row)
        if years is not None and "year" in cols and k[cols.index("year")] not in years:
            continue
        out[k[0] if len(k) == 1 else k] = float(value)
    return out


def prepare(inputs: InputData, config: CaseConfig | None = None) -> ModelData:
    """Turn validated inputs into :class:`ModelData` (``config`` defaults to the case's)."""
    config = config or inputs.case.config
    years = tuple(config.horizon.years)
    ys = set(years)
    sets = inputs.sets

    def members(name: str) -> tuple[str, ...]:
        return tuple(sets[name][name].astype(str))

    d = ModelData(
        config=config,
        years=years,
        nations=members("nation"),
        suppliers=members("supplier"),
        products=members("product"),
        preprocesses=members("preprocess"),
        routes=members("route"),
        grades=members("grade"),
        elements=members("element"),
        product_grade=dict(zip(sets["product"]["product"], sets["product"]["grade"])),
        preprocess_output=dict(zip(sets["preprocess"]["preprocess"], sets["preprocess"]["output"])),
        supplier_home=dict(zip(sets["supplier"]["supplier"], sets["supplier"]["home"])),
        supplier_kind=dict(zip(sets["supplier"]["supplier"], sets["supplier"]["kind"])),
    )
    for name in TABLES_BY_NAME:
        d.p[name] = table_dict(inputs, name, ys)
    # documented defaults of optional tables
    procs = d.processes
    d.p["lead_time"] = {x: int(d.p["lead_time"].get(x, 0)) for x in procs}
    d.p["earliest_year"] = {x: int(d.p["earliest_year"].get(x, years[0])) for x in procs}
    d.p["availability"] = {x: d.p["availability"].get(x, 1.0) for x in procs}
    d.p["capex_factor"] = {n: d.p["capex_factor"].get(n, 1.0) for n in d.nations}
    d.p["opex_factor"] = {n: d.p["opex_factor"].get(n, 1.0) for n in d.nations}
    vom_making = d.p["variable_om"].get(MAGNET_MAKING, 0.0)
    d.p["resinter_cost"] = {g: d.p["resinter_cost"].get(g, vom_making) for g in d.grades}
    d.p["lifetime"] = {x: int(round(v)) for x, v in d.p["lifetime"].items()}
    return d


def crf(rate: float, life: int) -> float:
    """Capital recovery factor: the annuity per unit of capital over ``life`` years."""
    if rate == 0:
        return 1.0 / life
    f = (1.0 + rate) ** life
    return rate * f / (f - 1.0)
