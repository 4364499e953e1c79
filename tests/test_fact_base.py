"""The fact base holds every value of the reference release: each table cell, and each prose-only figure."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qfin_docs.render.figures import Figures
from qfin_docs.model import CNY, USD, FactKey, ItemType, Period
from qfin_docs.facts.numbers import digits, parse_printed

from reference import data_rows, heading_rows, table_blocks


def expected_cell(loaded, table, row, column) -> str:
    """A table cell as the reference prints it, computed straight from the fact (not the renderer)."""
    figures = Figures(loaded.release, loaded.taxonomy, "html")
    concept = loaded.taxonomy.concepts[row.concept]
    if not row.convenience and column.currency != CNY:
        return ""
    period = column.period
    if concept.period_type == "instant" and not period.is_instant:
        period = Period(period.start - dt.timedelta(days=1)) if row.at == "start" else Period(period.end)
    unit = figures._unit(concept.type, column.currency.numerator.partition(":")[2])
    fact = figures.facts.get(FactKey(row.concept, period, unit, row.dimensions))
    assert fact is not None, f"no fact for {row.label} {period} {unit}"
    shown = -fact.value if row.negated else fact.value
    if concept.type is ItemType.MONETARY:
        assert fact.decimals == -table.scale
        text = digits(shown, table.scale, 0)
    elif concept.type is ItemType.PERCENT:
        text = digits(shown, -2, fact.decimals - 2) + "%"
    else:
        text = digits(shown, 0, fact.decimals)
    if shown == 0:
        return "-"
    return f"({text})" if shown < 0 else text


def test_every_table_cell_is_a_fact(loaded, reference_text):
    blocks = table_blocks(reference_text)
    tables = loaded.release.tables
    assert len(blocks) == len(tables) == 7
    checked = 0
    for block, table in zip(blocks, tables):
        statement = loaded.taxonomy.statements[table.statement]
        value_rows = [r for r in statement.rows if not r.is_heading]
        reference_rows = data_rows(block)
        assert [r.label for r in reference_rows] == [r.label for r in value_rows], table.id
        assert [r.label for r in heading_rows(block)] == [r.label for r in statement.rows if r.is_heading]
        for ref_row, row in zip(reference_rows, value_rows):
            cells = list(ref_row.cells) + [""] * (len(table.columns) - len(ref_row.cells))
            for cell, column in zip(cells, table.columns):
                assert expected_cell(loaded, table, row, column) == cell, \
                    f"reference line {ref_row.line}: {row.label} / {column.header}"
                checked += 1 if cell else 0
    assert checked == 499   # every figure of every table of the reference


def test_table_signs_follow_xbrl(loaded):
    facts = {(str(f.concept), str(f.period), str(f.unit)): f.value for f in loaded.release.facts}
    q2 = "2024-04-01/2024-06-30"
    assert facts[("us-gaap:IncomeTaxExpenseBenefit", q2, "iso4217:CNY")] == Decimal("700055000")     # shown (700,055)
    assert facts[("us-gaap:NetIncomeLossAttributableToNoncontrollingInterest", q2, "iso4217:CNY")] == Decimal("-4020000")
    assert facts[("qfin:ProvisionForContingentLiabilities", q2, "iso4217:CNY")] == Decimal("-213267000")
    assert facts[("us-gaap:GainLossOnInvestments", "2023-04-01/2023-06-30", "iso4217:CNY")] == Decimal("-30112000")
    assert facts[("us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", "2024-03-31",
                  "iso4217:USD")] == Decimal("1122385000")


def test_other_services_fees_rows_are_distinct_members(loaded):
    rows = [r for r in loaded.taxonomy.statements["operations"].rows if r.label == "Other services fees"]
    assert len(rows) == 2 and rows[0].concept == rows[1].concept and rows[0].dimensions != rows[1].dimensions


# (concept[member], period, as printed in the reference) for every figure stated only in the prose
PROSE_FIGURES = [
    ("qfin:NumberOfFinancialInstitutionalPartners", "2024-06-30", "160"),
    ("qfin:CumulativeRegisteredUsers", "2024-06-30", "247.6 million"),
    ("qfin:CumulativeRegisteredUsers", "2023-06-30", "220.6 million"),
    ("qfin:CumulativeUsersWithApprovedCreditLines", "2024-06-30", "53.6 million"),
    ("qfin:CumulativeUsersWithApprovedCreditLines", "2023-06-30", "47.4 million"),
    ("qfin:CumulativeBorrowers", "2024-06-30", "32.0 million"),
    ("qfin:CumulativeBorrowers", "2023-06-30", "28.5 million"),
    ("qfin:NumberOfLoansOriginated", "Q2-2024", "19,112,187"),
    ("qfin:NumberOfLoansOriginated[qfin:VPocketMember]", "Q2-2024", "3,587,251"),
    ("qfin:NumberOfLoansOriginated[qfin:OtherLoanProductsMember]", "Q2-2024", "15,524,936"),
    ("qfin:LoanFacilitationAndOriginationVolume", "Q2-2024", "RMB95,425 million"),
    ("qfin:LoanFacilitationAndOriginationVolume", "Q2-2023", "RMB124,225 million"),
    ("qfin:LoanFacilitationAndOriginationVolume[qfin:CapitalLightIceAndOtherTechnologySolutionsMember]", "Q2-2024", "RMB61,905 million"),
    ("qfin:LoanFacilitationAndOriginationVolume[qfin:CapitalLightIceAndOtherTechnologySolutionsMember]", "Q2-2023", "RMB71,860 million"),
    ("qfin:LoanFacilitationAndOriginationVolume[qfin:IntelligenceCreditEngineMember]", "Q2-2024", "RMB23,464 million"),
    ("qfin:LoanFacilitationAndOriginationVolume[qfin:OtherTechnologySolutionsMember]", "Q2-2024", "RMB23,245 million"),
    ("qfin:LoanFacilitationAndOriginationVolume[qfin:TotalSolutionsMember]", "Q2-2024", "RMB685 million"),
    ("qfin:OutstandingLoanBalance", "2024-06-30", "RMB157,778 million"),
    ("qfin:OutstandingLoanBalance", "2023-06-30", "RMB184,459 million"),
    ("qfin:OutstandingLoanBalance[qfin:CapitalLightIceAndOtherTechnologySolutionsMember]", "2024-06-30", "RMB103,817 million"),
    ("qfin:OutstandingLoanBalance[qfin:CapitalLightIceAndOtherTechnologySolutionsMember]", "2023-06-30", "RMB114,835 million"),
    ("qfin:OutstandingLoanBalance[qfin:IntelligenceCreditEngineMember]", "2024-06-30", "RMB34,808 million"),
    ("qfin:OutstandingLoanBalance[qfin:OtherTechnologySolutionsMember]", "2024-06-30", "RMB35,258 million"),
    ("qfin:OutstandingLoanBalance[qfin:TotalSolutionsMember]", "2024-06-30", "RMB1,031 million"),
    ("qfin:WeightedAverageContractualTenor", "Q2-2024", "9.97"),
    ("qfin:WeightedAverageContractualTenor", "Q2-2023", "11.00"),
    ("qfin:DelinquencyRate90DayPlus", "2024-06-30", "3.40%"),
    ("qfin:RepeatBorrowerContribution", "Q2-2024", "93.0%"),
    ("qfin:Day1DelinquencyRate", "Q2-2024", "4.8%"),
    ("qfin:CollectionRate30Day", "Q2-2024", "86.3%"),
    ("us-gaap:Revenues", "Q1-2024", "RMB4,153.2 million"),
    ("us-gaap:Revenues[qfin:CreditDrivenServicesMember]", "Q1-2024", "RMB3,016.3 million"),
    ("us-gaap:Revenues[qfin:LoanFacilitationAndServicingFeesCapitalHeavyMember]", "Q1-2024", "RMB243.8 million"),
    ("us-gaap:Revenues[qfin:FinancingIncomeMember]", "Q1-2024", "RMB1,535.0 million"),
    ("us-gaap:Revenues[qfin:RevenueFromReleasingOfGuaranteeLiabilitiesMember]", "Q1-2024", "RMB1,166.0 million"),
    ("us-gaap:Revenues[qfin:CreditDrivenOtherServicesFeesMember]", "Q1-2024", "RMB71.5 million"),
    ("us-gaap:Revenues[qfin:PlatformServicesMember]", "Q1-2024", "RMB1,136.9 million"),
    ("us-gaap:Revenues[qfin:LoanFacilitationAndServicingFeesCapitalLightMember]", "Q1-2024", "RMB502.7 million"),
    ("us-gaap:Revenues[qfin:ReferralServicesFeesMember]", "Q1-2024", "RMB548.8 million"),
    ("us-gaap:Revenues[qfin:PlatformOtherServicesFeesMember]", "Q1-2024", "RMB85.4 million"),
    ("us-gaap:CostsAndExpenses", "Q1-2024", "RMB2,789.1 million"),
    ("qfin:FacilitationOriginationAndServicingExpense", "Q1-2024", "RMB736.0 million"),
    ("qfin:FundingCosts", "Q1-2024", "RMB156.0 million"),
    ("us-gaap:SellingAndMarketingExpense", "Q1-2024", "RMB415.6 million"),
    ("us-gaap:GeneralAndAdministrativeExpense", "Q1-2024", "RMB106.4 million"),
    ("us-gaap:ProvisionForLoanLeaseAndOtherLosses", "Q1-2024", "RMB847.9 million"),
    ("qfin:ProvisionForFinancialAssetsReceivable", "Q1-2024", "RMB99.0 million"),
    ("qfin:ProvisionForAccountsReceivableAndContractAssets", "Q1-2024", "RMB111.5 million"),
    ("qfin:ProvisionForContingentLiabilities", "Q1-2024", "RMB316.7 million"),
    ("us-gaap:OperatingIncomeLoss", "Q1-2024", "RMB1,364.1 million"),
    ("qfin:NonGaapIncomeFromOperations", "Q1-2024", "RMB1,408.7 million"),
    ("us-gaap:IncomeLossFromContinuingOperationsBeforeIncomeTaxesExtraordinaryItemsNoncontrollingInterest", "Q1-2024", "RMB1,526.2 million"),
    ("us-gaap:ProfitLoss", "Q1-2024", "RMB1,160.1 million"),
    ("qfin:NonGaapNetIncome", "Q1-2024", "RMB1,204.8 million"),
    ("us-gaap:NetIncomeLoss", "Q1-2024", "RMB1,164.3 million"),
    ("qfin:NonGaapNetIncomeAttributableToOrdinaryShareholders", "Q1-2024", "RMB1,208.9 million"),
    ("qfin:WeightedAverageNumberOfAdsOutstandingBasic", "Q2-2024", "151.88 million"),
    ("us-gaap:CommonStockDividendsPerShareDeclared[us-gaap:CommonClassAMember]", "H1-2024", "US$0.30"),
    ("us-gaap:CommonStockDividendsPerShareDeclared[dei:AdrMember]", "H1-2024", "US$0.60"),
    ("srt:StockRepurchaseProgramAuthorizedAmount1", "2024-03-12", "US$350 million"),
    ("us-gaap:TreasuryStockSharesAcquired[dei:AdrMember]", "REPURCHASE-TO-DATE", "10.7 million"),
    ("us-gaap:TreasuryStockValueAcquiredCostMethod[dei:AdrMember]", "REPURCHASE-TO-DATE", "US$211 million"),
    ("us-gaap:TreasuryStockAcquiredAverageCostPerShare[dei:AdrMember]", "REPURCHASE-TO-DATE", "US$19.7"),
    ("us-gaap:ProfitLoss[srt:ScenarioForecastMember, srt:MinimumMember]", "Q3-2024", "RMB1.50 billion"),
    ("us-gaap:ProfitLoss[srt:ScenarioForecastMember, srt:MaximumMember]", "Q3-2024", "RMB1.60 billion"),
    ("qfin:NonGaapNetIncomeOutlook[srt:ScenarioForecastMember, srt:MinimumMember]", "Q3-2024", "RMB1.55 billion"),
    ("qfin:NonGaapNetIncomeOutlook[srt:ScenarioForecastMember, srt:MaximumMember]", "Q3-2024", "RMB1.65 billion"),
    ("qfin:NonGaapNetIncomeOutlookGrowthRate[srt:ScenarioForecastMember, srt:MinimumMember]", "Q3-2024", "31%"),
    ("qfin:NonGaapNetIncomeOutlookGrowthRate[srt:ScenarioForecastMember, srt:MaximumMember]", "Q3-2024", "40%"),
    ("us-gaap:ForeignCurrencyExchangeRateTranslation1", "2024-06-28", "7.2672"),
]

DATES_AND_TEXT = [
    ("us-gaap:DividendsPayableDateOfRecordDayMonthAndYear[us-gaap:CommonClassAMember]", "H1-2024", dt.date(2024, 9, 27), "September 27, 2024"),
    ("us-gaap:DividendsPayableDateOfRecordDayMonthAndYear[dei:AdrMember]", "H1-2024", dt.date(2024, 9, 27), "September 27, 2024"),
    ("us-gaap:DividendPayableDateToBePaidDayMonthAndYear[us-gaap:CommonClassAMember]", "H1-2024", dt.date(2024, 10, 29), "October 29, 2024"),
    ("us-gaap:DividendPayableDateToBePaidDayMonthAndYear[dei:AdrMember]", "H1-2024", dt.date(2024, 11, 1), "November 1, 2024"),
    ("qfin:ReleaseDate", "Q2-2024", dt.date(2024, 8, 13), "Aug. 13, 2024"),
    ("dei:EntityRegistrantName", "H1-2024", "Qifu Technology, Inc.", "Qifu Technology, Inc."),
    ("dei:TradingSymbol", "H1-2024", "QFIN", "NASDAQ: QFIN"),
    ("qfin:HongKongStockCode", "Q2-2024", "3660", "HKEx: 3660"),
]


@pytest.mark.parametrize("ref, period, printed", PROSE_FIGURES, ids=[f"{r}@{p}" for r, p, _ in PROSE_FIGURES])
def test_prose_figure_is_a_fact(loaded, reference_text, ref, period, printed):
    text = reference_text.replace("US\\$", "US$")
    assert printed in text, "the figure is not in the reference as written"
    figures = Figures(loaded.release, loaded.taxonomy, "html")
    expected = parse_printed(printed)
    fact = figures.find(ref, period, expected.currency)
    assert fact.value == expected.value
    assert fact.decimals == expected.decimals


@pytest.mark.parametrize("ref, period, value, printed", DATES_AND_TEXT, ids=[r for r, *_ in DATES_AND_TEXT])
def test_dates_and_cover_facts(loaded, reference_text, ref, period, value, printed):
    assert printed in reference_text
    assert Figures(loaded.release, loaded.taxonomy, "html").find(ref, period).value == value


def test_derived_figures_are_not_stored(loaded):
    concepts = {f.concept.local for f in loaded.release.facts}
    assert not [c for c in concepts if "Change" in c or "Growth" in c and "Outlook" not in c]
    # the cash total of footnote 11 and the 64.9% share are computed, not facts
    assert not [f for f in loaded.release.facts if f.value in (Decimal("8490000000"), Decimal("0.649"))]


def test_fact_base_size(loaded):
    numeric = [f for f in loaded.release.facts if isinstance(f.value, Decimal)]
    assert len(numeric) > 500
    assert {f.unit for f in numeric} >= {CNY, USD}
