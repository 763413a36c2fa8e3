"""Every input table declared once, as data.

Two kinds of table live in ``inputs/`` (and may be replaced per case):

* **set tables** (``nation.csv``, ``product.csv``, ...): one row per member of an index set, a key
  column named after the set, and descriptive attribute columns;
* **parameter tables** (``arisings.csv``, ``capex.csv``, ...): long format, one parameter family per
  file: the index columns, then ``value, unit, low, high, source, basis, note``.

The inputs layer, the checks, the generated data dictionary (``inputs/README.md``) and the app's
editors all read these declarations; nothing else lists tables or columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Columns every parameter table carries after its index columns, in this order.
VALUE_COLUMNS = ("value", "unit", "low", "high", "source", "basis", "note")

#: Allowed entries of the ``basis`` column.
BASES = ("checked", "literature", "derived", "assumption")

#: The commodity forms of the material chain and what one item of each form is keyed by.
#: ``ewaste`` is collected end-of-life product; ``intact`` and ``fines`` are magnet concentrates
#: made by pre-processing; ``oxide`` is separated oxide; ``mixed_oxide`` is unseparated
#: rare-earth oxide; ``alloy`` is magnet alloy (e.g. hydrogen-processed powder); ``magnet`` is a
#: finished sintered magnet. Amounts of ``ewaste``, ``intact``, ``fines``, ``alloy`` and
#: ``magnet`` are tonnes of NdFeB magnet mass; amounts of ``oxide`` and ``mixed_oxide`` are
#: tonnes of rare-earth element contained.
FORM_BASIS = {
    "ewaste": "product",
    "intact": "product",
    "fines": "product",
    "oxide": "element",
    "mixed_oxide": "element",
    "alloy": "grade",
    "magnet": "grade",
}
FORMS = tuple(FORM_BASIS)
CONCENTRATE_FORMS = ("intact", "fines")
ROUTE_OUTPUT_FORMS = ("oxide", "mixed_oxide", "alloy", "magnet")

#: The process that turns separated oxides (or re-sinters alloy) into magnets.
MAGNET_MAKING = "magnet_making"

#: Key used in the ``element`` column of ``route_yield`` for forms measured in magnet mass.
ALL_ELEMENTS = "all"

#: Objective perspectives.
PERSPECTIVES = ("alliance", "investor")


@dataclass(frozen=True)
class SetSpec:
    """A set table: one row per member; ``key`` is the set's name and the key column."""

    name: str
    description: str
    attributes: dict[str, str] = field(default_factory=dict)
    #: attribute -> set (or "form", "iso2") whose keys the attribute must hold
    references: dict[str, str] = field(default_factory=dict)
    #: allowed values of attributes that take a fixed vocabulary
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required: bool = True

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.name, *self.attributes)


@dataclass(frozen=True)
class TableSpec:
    """A long parameter table: index columns, then :data:`VALUE_COLUMNS`."""

    name: str
    index: tuple[str, ...]
    unit: str
    description: str
    lo: float = 0.0
    hi: float = 1e9
    required: bool = True
    #: index values that rows may take in a column beyond the referenced set's keys
    extra_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: restrict a ``form`` column to these forms
    forms: tuple[str, ...] = ()
    #: rows for years outside the horizon are allowed (history) and ignored by the model
    history: bool = False
    #: the group (index columns) over which values must sum to at most 1
    sum_to_one_over: tuple[str, ...] = ()
    #: the value must be a whole number
    integer: bool = False

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.index, *VALUE_COLUMNS)


#: Which set an index column refers to. ``origin`` and ``destination`` are nations in a flow;
#: ``process`` is any pre-processing method, route or magnet making; ``tier`` is a collection-cost
#: step (1, 2, ...).
INDEX_SETS = {
    "nation": "nation",
    "origin": "nation",
    "destination": "nation",
    "supplier": "supplier",
    "product": "product",
    "preprocess": "preprocess",
    "route": "route",
    "grade": "grade",
    "element": "element",
    "form": "form",
    "process": "process",
    "year": "year",
    "tier": "tier",
    "currency": "currency",
}

SET_TABLES: tuple[SetSpec, ...] = (
    SetSpec(
        "nation",
        "Nations whose recovery system is planned (ISO 3166 alpha-2 codes).",
        {"name": "display name"},
    ),
    SetSpec(
        "supplier",
        "Suppliers of oxides and magnets from outside the modelled chain.",
        {
            "name": "display name",
            "home": "ISO 3166 alpha-2 code of the home nation",
            "kind": "outside (e.g. China) or alliance (a partner's primary producer)",
        },
        references={"home": "iso2"},
        choices={"kind": ("outside", "alliance")},
    ),
    SetSpec(
        "product",
        "End-of-life product streams that carry NdFeB magnets.",
        {"name": "display name", "grade": "magnet grade its magnets are made to"},
        references={"grade": "grade"},
    ),
    SetSpec(
        "preprocess",
        "Pre-processing methods that turn collected products into magnet concentrate.",
        {"name": "display name", "output": "concentrate form made: intact or fines"},
        choices={"output": CONCENTRATE_FORMS},
    ),
    SetSpec(
        "route",
        "Recovery routes that turn magnet concentrate into oxides, alloy or magnets.",
        {"name": "display name"},
    ),
    SetSpec(
        "grade",
        "Magnet grades demanded (e.g. standard, high-temperature).",
        {"name": "display name"},
    ),
    SetSpec(
        "element",
        "Rare-earth elements tracked through the chain.",
        {"name": "display name"},
    ),
)

_P = "process"
TABLES: tuple[TableSpec, ...] = (
    # -- feedstock and collection ---------------------------------------------------------------
    TableSpec(
        "arisings",
        ("nation", "product", "year"),
        "t/yr",
        "NdFeB magnet mass in end-of-life products arising per year (rows here win over "
        "arisings derived from put_on_market).",
        hi=1e6,
        history=True,
        required=False,
    ),
    TableSpec(
        "collection_share",
        ("nation", "product", "tier"),
        "fraction",
        "Share of arisings that can be collected in this cost tier (tiers add up).",
        hi=1.0,
        sum_to_one_over=("nation", "product"),
    ),
    TableSpec(
        "collection_cost",
        ("nation", "product", "tier"),
        "USD/t",
        "Cost of collecting one more tonne of magnet in this tier (above today's formal rate "
        "tier 1 is usually free: the product is collected anyway).",
        hi=1e8,
    ),
    TableSpec(
        "ewaste_mass",
        ("product",),
        "t/t",
        "Tonnes of whole product per tonne of magnet it carries (for e-waste freight).",
        lo=1.0,
        hi=1e6,
    ),
    TableSpec(
        "put_on_market",
        ("nation", "product", "year"),
        "units/yr",
        "Units of the product sold into use per year (history years allowed); with the "
        "lifetime and magnet tables it derives the arisings.",
        hi=1e10,
        history=True,
        required=False,
    ),
    TableSpec(
        "lifetime_scale",
        ("product",),
        "yr",
        "Weibull scale of the product's service life.",
        lo=0.1,
        hi=100.0,
        required=False,
    ),
    TableSpec(
        "lifetime_shape",
        ("product",),
        "-",
        "Weibull shape of the product's service life.",
        lo=0.1,
        hi=20.0,
        required=False,
    ),
    TableSpec(
        "magnet_per_unit",
        ("product",),
        "kg/unit",
        "NdFeB mass in one unit that has NdFeB magnets.",
        hi=5000.0,
        required=False,
    ),
    TableSpec(
        "ndfeb_unit_share",
        ("product",),
        "fraction",
        "Share of units put on the market that contain NdFeB magnets.",
        hi=1.0,
        required=False,
    ),
    # -- pre-processing -------------------------------------------------------------------------
    TableSpec(
        "preprocess_yield",
        ("product", "preprocess"),
        "fraction",
        "Share of magnet mass that ends up in the concentrate; a missing row means the method "
        "is not used on that product.",
        hi=1.0,
    ),
    TableSpec(
        "preprocess_cost",
        ("nation", "product", "preprocess"),
        "USD/t",
        "Labour and handling per tonne of magnet mass pre-processed (per product).",
        hi=1e8,
        required=False,
    ),
    # -- routes ----------------------------------------------------------------------------------
    TableSpec(
        "composition",
        ("product", "element"),
        "fraction",
        "Mass fraction of each element in the product's magnets.",
        hi=1.0,
        sum_to_one_over=("product",),
    ),
    TableSpec(
        "route_feed",
        ("route", "product", "form"),
        "-",
        "1 where the route accepts this product's concentrate of this form.",
        hi=1.0,
        forms=("intact", "fines"),
        integer=True,
    ),
    TableSpec(
        "route_yield",
        ("route", "form", "element"),
        "fraction",
        "Share of each element (or, with element 'all', of magnet mass) in the feed that "
        "leaves the route in this form.",
        hi=1.0,
        forms=ROUTE_OUTPUT_FORMS,
        extra_keys={"element": (ALL_ELEMENTS,)},
    ),
    # -- magnets and demand ---------------------------------------------------------------------
    TableSpec(
        "grade_recipe",
        ("grade", "element"),
        "t/t",
        "Tonnes of each element (as oxide content) used per tonne of magnet made.",
        hi=1.0,
        sum_to_one_over=("grade",),
    ),
    TableSpec(
        "demand",
        ("nation", "grade", "year"),
        "t/yr",
        "Magnet demand per nation, grade and year.",
        hi=1e7,
        history=True,
    ),
    TableSpec(
        "oxide_demand",
        ("nation", "element", "year"),
        "t/yr",
        "Direct demand for separated oxide outside magnet making (element content).",
        hi=1e7,
        required=False,
        history=True,
    ),
    TableSpec(
        "unmet_penalty",
        ("grade",),
        "USD/t",
        "Price put on a tonne of magnet demand left unmet.",
        hi=1e9,
    ),
    TableSpec(
        "oxide_unmet_penalty",
        ("element",),
        "USD/t",
        "Price put on a tonne of direct oxide demand left unmet.",
        hi=1e9,
        required=False,
    ),
    # -- processes (pre-processing, routes, magnet making) --------------------------------------
    TableSpec("capex", (_P,), "USD/(t/yr)", "Overnight capital cost per t/yr of capacity.", hi=1e8),
    TableSpec(
        "fixed_om",
        (_P,),
        "USD/(t/yr)/yr",
        "Fixed operating cost per t/yr of installed capacity per year.",
        hi=1e7,
    ),
    TableSpec("variable_om", (_P,), "USD/t", "Operating cost per tonne of feed processed.", hi=1e7),
    TableSpec(
        "lifetime",
        (_P,),
        "yr",
        "Technical life of new capacity (whole years).",
        lo=1.0,
        hi=100.0,
        integer=True,
    ),
    TableSpec(
        "lead_time",
        (_P,),
        "yr",
        "Years from the build decision until the capacity produces.",
        hi=20.0,
        integer=True,
        required=False,
    ),
    TableSpec(
        "earliest_year",
        (_P,),
        "yr",
        "First year in which new capacity may be decided (technology readiness).",
        lo=1900.0,
        hi=2200.0,
        integer=True,
        required=False,
    ),
    TableSpec(
        "availability",
        (_P,),
        "fraction",
        "Share of installed capacity usable in a year.",
        hi=1.0,
        required=False,
    ),
    TableSpec(
        "existing_capacity",
        ("nation", _P, "year"),
        "t/yr",
        "Capacity in place (and still running) in a year, before any new build.",
        hi=1e7,
        required=False,
        history=True,
    ),
    TableSpec(
        "typical_size",
        (_P,),
        "t/yr",
        "Capacity of one plant of typical size (reported: capacity in typical plants; the LP "
        "itself may build any amount).",
        lo=0.1,
        hi=1e6,
        required=False,
    ),
    TableSpec(
        "min_size",
        (_P,),
        "t/yr",
        "Smallest economic plant (reported: builds below it are flagged, since an LP can split "
        "plants; an integer plant mode would enforce it).",
        hi=1e6,
        required=False,
    ),
    TableSpec(
        "max_build",
        ("nation", _P),
        "t/yr",
        "Largest new capacity that may be decided in one year.",
        hi=1e7,
        required=False,
    ),
    TableSpec(
        "max_capacity",
        ("nation", _P),
        "t/yr",
        "Largest capacity that may be in service in the nation in any year.",
        hi=1e7,
        required=False,
    ),
    TableSpec(
        "capex_factor",
        ("nation",),
        "-",
        "Location factor applied to capital costs in the nation.",
        lo=0.1,
        hi=10.0,
        required=False,
    ),
    TableSpec(
        "opex_factor",
        ("nation",),
        "-",
        "Multiplier on variable and fixed operating costs in the nation (labour, energy).",
        lo=0.1,
        hi=10.0,
        required=False,
    ),
    TableSpec(
        "energy_price",
        ("nation",),
        "USD/kWh",
        "Industrial electricity price in the nation.",
        hi=2.0,
        required=False,
    ),
    TableSpec(
        "energy_use",
        (_P,),
        "kWh/t",
        "Electricity used per tonne of feed processed (priced at the nation's energy_price).",
        hi=1e5,
        required=False,
    ),
    TableSpec(
        "resinter_cost",
        ("grade",),
        "USD/t",
        "Variable cost of re-sintering a tonne of alloy into magnets (charged instead of "
        "magnet_making's variable_om on alloy).",
        hi=1e7,
        required=False,
    ),
    TableSpec(
        "cost_of_capital",
        ("nation",),
        "fraction",
        "Real cost of capital used to annualise capital costs.",
        hi=0.5,
    ),
    # -- trade -----------------------------------------------------------------------------------
    TableSpec(
        "freight",
        ("form", "origin", "destination"),
        "USD/t",
        "Freight per tonne on an allowed lane; a missing row means the lane is closed.",
        hi=1e7,
        required=False,
    ),
    TableSpec(
        "consent_cost",
        ("form", "origin", "destination"),
        "USD/t",
        "Prior-informed-consent (Basel) cost per tonne shipped on a lane, on top of freight "
        "(per tonne of whole product for e-waste, like its freight).",
        hi=1e7,
        required=False,
    ),
    # -- supply limits and dependence -----------------------------------------------------------
    TableSpec(
        "supply_cap",
        ("supplier", "destination", "element", "year"),
        "t/yr",
        "Most oxide (element content) a supplier delivers to one nation, or with "
        "destination 'all' to the alliance in total (export controls, offtakes).",
        hi=1e7,
        required=False,
        history=True,
        extra_keys={"destination": ("all",)},
    ),
    TableSpec(
        "magnet_supply_cap",
        ("supplier", "destination", "grade", "year"),
        "t/yr",
        "Most magnets a supplier delivers to one nation, or ('all') to the alliance.",
        hi=1e7,
        required=False,
        history=True,
        extra_keys={"destination": ("all",)},
    ),
    TableSpec(
        "share_cap",
        ("nation", "element"),
        "fraction",
        "Largest share of a nation's (or, with nation 'all', the alliance's) supply of an "
        "element, counting the content of imported magnets, that one supplier may provide.",
        hi=1.0,
        required=False,
        extra_keys={"nation": ("all",)},
    ),
    # -- money: budgets and transfers -----------------------------------------------------------
    TableSpec(
        "capital_budget",
        ("nation", "year"),
        "USD",
        "Most overnight capital (before any subsidy) committed to new capacity in the nation in "
        "a year.",
        hi=1e13,
        required=False,
    ),
    TableSpec(
        "capital_budget_total",
        ("nation",),
        "USD",
        "Most capital the nation may commit over the horizon.",
        hi=1e14,
        required=False,
    ),
    TableSpec(
        "capex_subsidy",
        ("nation", _P),
        "fraction",
        "Share of capital cost paid by the public budget.",
        hi=1.0,
        required=False,
    ),
    TableSpec(
        "capex_subsidy_cap",
        ("nation", _P),
        "USD/(t/yr)",
        "Largest capital subsidy per t/yr of new capacity (a per-plant cap over plant size).",
        hi=1e8,
        required=False,
    ),
    TableSpec(
        "opex_support",
        ("nation", _P),
        "USD/t",
        "Operating support paid per tonne of feed processed.",
        hi=1e7,
        required=False,
    ),
    TableSpec(
        "processing_offset",
        ("nation", _P),
        "fraction",
        "Share of operating cost refunded (e.g. a production tax offset).",
        hi=1.0,
        required=False,
    ),
    TableSpec(
        "price_floor",
        ("nation", "element"),
        "USD/t",
        "Guaranteed price for recovered oxide sold by producers in the nation; the public "
        "budget pays the gap to the market price.",
        hi=1e9,
        required=False,
    ),
    TableSpec(
        "public_budget",
        ("nation", "year"),
        "USD",
        "Most subsidies and support the nation pays in a year.",
        hi=1e13,
        required=False,
    ),
    TableSpec(
        "public_budget_total",
        ("nation",),
        "USD",
        "Most subsidies and support the nation pays over the horizon.",
        hi=1e14,
        required=False,
    ),
    # -- stockpiles -----------------------------------------------------------------------------
    TableSpec(
        "stock_holding_cost",
        ("nation", "form"),
        "USD/t/yr",
        "Cost of holding a tonne in a strategic stock for a year.",
        hi=1e7,
        forms=("oxide", "magnet"),
        required=False,
    ),
    TableSpec(
        "oxide_stock_max",
        ("nation", "element"),
        "t",
        "Largest oxide stock (element content) the nation may hold.",
        hi=1e7,
        required=False,
    ),
    TableSpec(
        "magnet_stock_max",
        ("nation", "grade"),
        "t",
        "Largest magnet stock the nation may hold.",
        hi=1e7,
        required=False,
    ),
    # -- suppliers and markets ------------------------------------------------------------------
    TableSpec(
        "import_price",
        ("supplier", "element"),
        "USD/t",
        "Delivered price of separated oxide (per tonne of element contained).",
        hi=1e9,
    ),
    TableSpec(
        "magnet_import_price",
        ("supplier", "grade"),
        "USD/t",
        "Delivered price of finished magnets.",
        hi=1e9,
    ),
    TableSpec(
        "oxide_price",
        ("form", "element"),
        "USD/t",
        "Market price at which surplus oxide can be sold (per tonne of element).",
        hi=1e9,
        forms=("oxide", "mixed_oxide"),
        required=False,
    ),
    TableSpec(
        "magnet_price",
        ("form", "grade"),
        "USD/t",
        "Market price at which surplus alloy or magnets can be sold.",
        hi=1e9,
        forms=("alloy", "magnet"),
        required=False,
    ),
    TableSpec(
        "scrap_price",
        ("form", "product"),
        "USD/t",
        "Price at which magnet concentrate can be sold as scrap (per tonne of magnet).",
        hi=1e9,
        forms=CONCENTRATE_FORMS,
        required=False,
    ),
    # -- money conversion ------------------------------------------------------------------------
    TableSpec(
        "fx_rate",
        ("currency", "year"),
        "USD/unit",
        "US dollars per unit of the currency, yearly average (to convert rows given in another "
        "currency: a row of a USD table may state its unit as e.g. INR2025/t).",
        lo=1e-6,
        hi=1e4,
        required=False,
        history=True,
    ),
    TableSpec(
        "deflator",
        ("year",),
        "index",
        "US GDP price deflator (any base year): converts USD of one year to the case's currency "
        "year.",
        lo=1.0,
        hi=1e4,
        required=False,
        history=True,
    ),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}
SETS_BY_NAME = {s.name: s for s in SET_TABLES}
