"""Names, phone numbers, e-mail and addresses are masked before residents' words are quoted."""

import pytest

from bot.reports.masking import mask


@pytest.mark.parametrize("text, expected", [
    ("Gọi cho tôi số 0912 345 678 nhé", "Gọi cho tôi [số điện thoại] nhé"),
    ("Liên hệ +84 912.345.678 hoặc lan@vi-du.vn", "Liên hệ [số điện thoại] hoặc [thư điện tử]"),
    ("Nhà tôi ở số 12 ngõ 5 đường Trần Phú", "Nhà tôi ở [địa chỉ] [địa chỉ] [địa chỉ]"),
    ("Ông Nguyễn Văn Ba nói đại hội bị hoãn", "Ông [tên] nói đại hội bị hoãn"),
    ("Tôi nghe Trần Thị Hoa kể lại", "Tôi nghe [tên] kể lại"),
    ("chị Lan ở xóm Đông bảo vậy", "chị [tên] ở [địa chỉ] bảo vậy"),
    ("Khi nào Đại hội XIV khai mạc?", "Khi nào Đại hội XIV khai mạc?"),
    ("Năm 2026 có bao nhiêu đại biểu?", "Năm 2026 có bao nhiêu đại biểu?"),
])
def test_personal_details_are_masked_and_the_rest_is_kept(text, expected):
    assert mask(text) == expected
