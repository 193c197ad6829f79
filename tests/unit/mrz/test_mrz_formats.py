from passport_ocr.mrz.formats import LAYOUTS, TD1, TD2, TD3


def _covered(layout):
    taken = []
    for spec in layout.fields:
        taken += [(spec.line, p) for p in range(spec.start, spec.end)]
    taken += [(c.line, c.position) for c in layout.checks]
    return taken


def test_every_position_belongs_to_exactly_one_field_or_check():
    for layout in LAYOUTS.values():
        taken = _covered(layout)
        assert len(taken) == len(set(taken)), layout.name
        assert set(taken) == {(l, p) for l in range(layout.line_count) for p in range(layout.line_length)}, layout.name


def test_composite_ranges_follow_icao_9303():
    assert TD3.check("composite").segments == ((1, 0, 10), (1, 13, 20), (1, 21, 43))
    assert TD2.check("composite").segments == ((1, 0, 10), (1, 13, 20), (1, 21, 35))
    assert TD1.check("composite").segments == ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29))
    assert (TD3.check("composite").line, TD3.check("composite").position) == (1, 43)
    assert (TD1.check("composite").line, TD1.check("composite").position) == (1, 29)


def test_visas_have_no_composite_and_td3_personal_number_may_be_filler():
    assert LAYOUTS["MRVA"].composite is None and LAYOUTS["MRVB"].composite is None
    assert TD3.check("personal_number").filler_allowed
