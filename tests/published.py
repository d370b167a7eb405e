"""The 2023 province totals the press published (reference/published-figures.csv), typed by hand.

Expected values for the backtests: the sample returns are calibrated to them, and the gap tables must
reproduce the published completion rates (145.93万 ÷ 75万 = 195% …).
"""
PUBLISHED_2023 = {
    "fundraising.total": 1_022_000_000,
    "first_aid.aed_new": 844,
    "first_aid.certified_trainees": 151_600,
    "first_aid.popular_trainees": 1_459_300,
    "care.eldercare_caregivers": 2_688,
    "care.eldercare_popular": 52_200,
    "care.organ_donations": 269,
    "care.stem_cell_donations": 42,
}
