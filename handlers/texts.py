"""Everything residents and staff read, in one place for review (NFC)."""

from db.models import CommentStatus, Stance

PRIVACY_NOTICE_VERSION = "2026-11-26.2"  # .2: states the retention period and /dulieu, /xoadulieu

GREETING = (
    "Xin chào! Đây là Loa Số — kênh thông tin của Đảng ủy xã về Đại hội Đảng các cấp "
    "và nơi góp ý vào dự thảo văn kiện."
)

PRIVACY_NOTICE = (
    "🔒 Thông báo về dữ liệu cá nhân (phiên bản {version})\n\n"
    "Đọc tin công khai không cần đồng ý và không cần khai báo gì.\n\n"
    "Chưa đồng ý, Loa Số chỉ giữ mã cuộc trò chuyện mà ứng dụng nhắn tin cấp để trả lời "
    "bạn. Loa Số không lưu tên, số điện thoại hay nội dung tin nhắn của bạn.\n\n"
    "Nếu bạn đồng ý, Loa Số lưu thêm: thời điểm bạn đồng ý; thôn và chủ đề bạn đăng ký "
    "nhận tin; các góp ý bạn gửi (bạn có thể góp ý ẩn danh); kết quả thi tìm hiểu. "
    "Mục đích: gửi tin Đại hội đến bạn và tiếp nhận góp ý của bạn cho dự thảo văn kiện.\n\n"
    "Góp ý là ý kiến về văn kiện, được tổng hợp theo văn kiện và theo mục, không dùng "
    "để đánh giá hay lập danh sách người dân.\n\n"
    "Thời hạn lưu: nếu bạn không nhắn tin cho Loa Số trong {days} ngày, Loa Số tự xóa "
    "thông tin của bạn, góp ý chỉ còn được giữ dưới dạng ẩn danh. Góp ý cũng được tách khỏi "
    "bạn (xóa tên và mọi liên kết với bạn, chỉ giữ nội dung, mục góp ý và thôn) {days} ngày "
    "sau khi dự thảo hết hạn lấy ý kiến.\n\n"
    "Bạn có quyền xem dữ liệu của mình (/dulieu), rút lại sự đồng ý và yêu cầu xóa dữ liệu "
    "(/xoadulieu) bất cứ lúc nào (theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15).\n\n"
    "Bạn có đồng ý để Loa Số lưu các thông tin trên không?"
)

CONSENT_YES = "Đồng ý"
CONSENT_NO = "Không đồng ý"

CONSENT_RECORDED = "Cảm ơn bạn. Loa Số đã ghi nhận sự đồng ý của bạn (phiên bản {version})."
CONSENT_ALREADY = "Bạn đã đồng ý từ {when}. Không cần làm gì thêm."
CONSENT_DECLINED = (
    "Loa Số tôn trọng lựa chọn của bạn và không lưu thông tin cá nhân nào. "
    "Bạn vẫn đọc được mọi tin công khai. Khi muốn đăng ký nhận tin hoặc góp ý, "
    "hãy gõ /start để đồng ý."
)
CONSENT_WITHDRAWN = (
    "Loa Số đã ghi nhận bạn rút lại sự đồng ý. Từ nay Loa Số không lưu thêm thông tin "
    "cá nhân nào của bạn."
)
CONSENT_STATUS_GIVEN = "Trạng thái: bạn đã đồng ý từ {when} (phiên bản {version})."
CONSENT_STATUS_NONE = "Trạng thái: bạn chưa đồng ý, Loa Số không lưu thông tin cá nhân của bạn."

MENU_TITLE = "Bạn muốn xem gì? Chọn một mục dưới đây."
MENU_HELP = "Trợ giúp"
MENU_PRIVACY = "Quyền riêng tư"

HELP = (
    "Loa Số hiểu các lệnh sau:\n"
    "/start — lời chào và thông báo về dữ liệu cá nhân\n"
    "/menu — danh sách chức năng\n"
    "/tin — tin Đại hội của đợt tuyên truyền hiện nay\n"
    "/gopy — đọc dự thảo văn kiện và góp ý theo từng mục\n"
    "/gopycuatoi — xem góp ý của bạn và phản hồi của Ban soạn thảo\n"
    "/timkiem <từ khóa> — tìm bài viết và câu hỏi thường gặp\n"
    "/lich — lịch sự kiện\n"
    "/dangky — đăng ký nhận bản tin theo thôn, chủ đề; /huy (hoặc gõ «dừng») để thôi nhận\n"
    "/thi — thi tìm hiểu về Đại hội\n"
    "/dulieu — xem dữ liệu Loa Số lưu về bạn; /xoadulieu — xóa dữ liệu của bạn\n"
    "/vaitro <mã> — nhận vai trò bằng mã mời của cán bộ xã\n"
    "/trogiup — hướng dẫn này\n\n"
    "Bí thư chi bộ, người đứng đầu đoàn thể: /thongbao để gửi thông báo tới chi bộ, đoàn thể, "
    "thôn mình phụ trách. Cán bộ xã: /duyet để duyệt thông báo đang chờ.\n\n"
    "Bạn cũng có thể gõ thẳng điều muốn tìm, ví dụ: đại hội xiv.\n"
    "Khi Loa Số đưa ra các lựa chọn, bạn bấm nút, hoặc gõ số thứ tự của lựa chọn "
    "(ví dụ gõ 1). Gõ tiếng Việt có dấu hay không dấu đều được."
)

UNKNOWN_COMMAND = "Loa Số chưa có lệnh /{command}. Bạn chọn một mục dưới đây, hoặc gõ /trogiup."
STALE_BUTTON = "Lựa chọn này đã cũ hoặc không còn dùng được. Mời bạn chọn lại."
UNSUPPORTED = (
    "Loa Số hiện chỉ đọc được tin nhắn chữ. Bạn vui lòng gõ nội dung, "
    "hoặc chọn một mục dưới đây."
)
APOLOGY = (
    "Xin lỗi, Loa Số vừa gặp trục trặc khi xử lý tin nhắn của bạn. "
    "Bạn vui lòng thử lại sau ít phút."
)

# -- browsing, search, calendar, FAQ ----------------------------------------------------------

MENU_NEWS = "Tin Đại hội"
MENU_FAQ = "Hỏi đáp"
MENU_CALENDAR = "Lịch sự kiện"
BACK = "Quay lại"
MENU = "Menu"
MORE = "Xem thêm"
ARCHIVE = "Các đợt trước"

NEWS_HOME = "📰 Tin Đại hội — {phase}: {title}"
NEWS_STAGE = "Giai đoạn hiện nay: {stage}."
NEWS_PINNED = "(Ban Tuyên truyền đang chọn hiển thị giai đoạn này.)"
NEWS_PICK_TOPIC = "Mời bạn chọn chủ đề:"
NEWS_NO_TOPICS = "Đợt này chưa có bài viết nào. Mời bạn xem các đợt trước hoặc quay lại menu."
NEWS_NOT_STARTED = "Đợt tuyên truyền đầu tiên chưa bắt đầu. Mời bạn xem lịch sự kiện hoặc hỏi đáp."
NEWS_ARCHIVE = "🗂 Các đợt tuyên truyền trước:"
NEWS_PHASE = "🗂 {phase}: {title}\nMời bạn chọn chủ đề:"
NEWS_TOPIC = "📂 {topic} — {count} bài. Mời bạn chọn bài:"
STALE_CONTENT = "Nội dung đã được cập nhật. Mời bạn chọn lại từ menu."
PLACEHOLDER_SHOWN = "(nội dung đang được cập nhật)"
ARTICLE_SOURCES = "Nguồn chính thức:"
ARTICLE_PUBLISHED = "Đăng ngày {date}."

SEARCH_RESULTS = "🔎 Kết quả cho “{query}”. Mời bạn chọn bài:"
SEARCH_FAQ = "💬 {answer}"
SEARCH_NOTHING = (
    "Loa Số chưa tìm thấy nội dung nào cho “{query}”. Bạn thử gõ từ khóa ngắn hơn, ví dụ: "
    "“đại hội xiv”, “góp ý văn kiện”, “lịch đại hội”, hoặc chọn một mục dưới đây."
)
SEARCH_EMPTY = (
    "Bạn gõ từ khóa bằng chữ để tìm, ví dụ: “đại hội xiv” (có dấu hay không dấu đều được), "
    "hoặc chọn một mục dưới đây."
)
HELLO = "Chào bạn! Loa Số có thể giúp bạn những việc dưới đây, hoặc bạn gõ điều muốn tìm."
THANKS = "Cảm ơn bạn đã quan tâm! Khi cần, bạn chọn một mục dưới đây."
SEARCH_HINT = "Gõ /timkiem và từ khóa, ví dụ: /timkiem đại hội xiv"

CALENDAR_TITLE = "🗓 Lịch sự kiện"
CALENDAR_UPCOMING = "Sắp diễn ra:"
CALENDAR_RECENT = "Đã diễn ra:"
CALENDAR_NONE = "Chưa có sự kiện nào sắp diễn ra."
CALENDAR_UNCONFIRMED = "(dự kiến, chưa chính thức)"

FAQ_TITLE = "💬 Hỏi đáp — mời bạn chọn câu hỏi:"

# -- consultation ----------------------------------------------------------------------------

MENU_CONSULTATION = "Văn kiện & Góp ý"
# Keyed by the enums (which equal their string values), so plain stored codes look up too.
STANCES = {Stance.AGREE: "Tán thành", Stance.DISAGREE: "Không tán thành",
           Stance.PARTLY: "Đồng ý một phần"}
STATUSES = {CommentStatus.NEW: "Mới nhận", CommentStatus.SEEN: "Đã xem",
            CommentStatus.ACCEPTED: "Tiếp thu", CommentStatus.NOT_ACCEPTED: "Không tiếp thu",
            CommentStatus.DUPLICATE: "Trùng lặp", CommentStatus.SPAM: "Không hợp lệ",
            CommentStatus.WITHDRAWN: "Đã rút lại"}
LEVELS = {"xã": "cấp xã", "thành phố": "cấp thành phố", "trung ương": "Trung ương"}

GY_DRAFTS = "📜 Dự thảo văn kiện. Mời bạn chọn văn kiện để đọc và góp ý:"
GY_NO_DRAFTS = "Hiện chưa có dự thảo văn kiện nào được công bố để góp ý."
GY_OPEN_UNTIL = "Đang lấy ý kiến đến {when}."
GY_OPENS_AT = "Sẽ mở lấy ý kiến từ {when}."
GY_CLOSED_AT = "Đã hết hạn góp ý lúc {when}. Bạn vẫn đọc được toàn văn."
GY_SAMPLE = "⚠️ Đây là văn bản MẪU để dùng thử, không phải dự thảo thật."
GY_DRAFT_HEAD = "📜 {title}\n({level}, phiên bản {version})"
GY_PICK_SECTION = "Chọn mục để đọc và góp ý:"
GY_GENERAL = "Góp ý chung"
GY_THIS_SECTION = "Góp ý mục này"
GY_CHOOSE_STANCE = "Bạn góp ý về: {target}\n\nÝ kiến của bạn là:"
GY_GENERAL_TARGET = "toàn văn dự thảo “{title}”"
GY_TYPE_TEXT = "Bạn gõ nội dung góp ý (tối đa {limit} ký tự)."
GY_TYPE_TEXT_OPTIONAL = "Bạn có thể gõ thêm ý kiến, hoặc bấm “Bỏ qua”."
GY_TYPE_REASONS = "Với ý kiến “{stance}”, bạn vui lòng cho biết lý do hoặc đề xuất cụ thể."
GY_SKIP = "Bỏ qua"
GY_TOO_SHORT = "Góp ý mới có {count} ký tự; cần ít nhất {minimum} ký tự. Bạn viết thêm giúp Loa Số nhé."
GY_TOO_LONG = (
    "Góp ý dài {count} ký tự, vượt giới hạn {limit} ký tự. Bạn rút gọn, hoặc chia thành "
    "nhiều góp ý cho từng mục nhé."
)
GY_NO_WORDS = "Góp ý cần có chữ (biểu tượng cảm xúc hay dấu câu chưa đủ). Bạn gõ lại giúp Loa Số."
GY_IDENTITY = "Bạn muốn gửi góp ý ẩn danh hay ghi tên?"
GY_ANONYMOUS = "Ẩn danh"
GY_SIGNED = "Ghi tên"
GY_TYPE_NAME = "Bạn gõ họ tên muốn ghi kèm góp ý."
GY_BAD_NAME = "Họ tên cần có chữ và không quá 100 ký tự. Bạn gõ lại giúp Loa Số."
GY_PICK_HAMLET = "Bạn ở thôn (khu dân cư) nào?"
GY_PREVIEW = (
    "Xem lại góp ý của bạn:\n\n📜 {draft}\n📌 {target}\n🗳 {stance}\n✍️ {text}\n👤 {who}\n\n"
    "Bấm “Gửi” để gửi, “Sửa” để viết lại, “Hủy” để bỏ."
)
GY_NO_TEXT = "(không có nội dung)"
GY_SEND = "Gửi"
GY_EDIT = "Sửa"
GY_CANCEL = "Hủy"
GY_CANCELLED = "Đã hủy, góp ý chưa được gửi."
GY_RECEIPT = (
    "✅ Loa Số đã nhận góp ý của bạn.\nMã biên nhận: {receipt}\n\n"
    "Bạn giữ mã này để theo dõi: gõ /gopycuatoi để xem trạng thái và phản hồi của Ban soạn thảo."
)
GY_ALREADY_SENT = "Góp ý này đã được gửi trước đó. Mã biên nhận: {receipt}"
GY_CLOSED_WHILE_TYPING = (
    "Rất tiếc, dự thảo này đã hết hạn góp ý lúc {when}, nên góp ý chưa được gửi. "
    "Nội dung bạn đã viết:\n\n{text}"
)
GY_NOT_OPEN = "Dự thảo này hiện không nhận góp ý ({reason})."
GY_NEEDS_CONSENT = (
    "Để gửi góp ý, Loa Số cần lưu góp ý của bạn, nên cần bạn đồng ý trước. "
    "Sau khi đồng ý, bạn tiếp tục ngay tại đây."
)
GY_CONSENT_REFUSED = "Không có sự đồng ý thì Loa Số không thể nhận góp ý. Bạn vẫn đọc được dự thảo."

MY_TITLE = "🗂 Góp ý của bạn ({count}). Chọn một góp ý để xem chi tiết:"
MY_NONE = "Bạn chưa gửi góp ý nào. Chọn “Văn kiện & Góp ý” để đọc dự thảo và góp ý."
MY_DETAIL = (
    "Mã biên nhận: {receipt}\n📜 {draft}\n📌 {target}\n🗳 {stance}\n✍️ {text}\n"
    "Trạng thái: {status}\nGửi lúc: {when}"
)
MY_ANSWER = "💬 Phản hồi của Ban soạn thảo: {answer}"
MY_WITHDRAW = "Rút lại"
MY_WITHDRAW_CONFIRM = "Bạn chắc chắn muốn rút lại góp ý {receipt}?"
MY_WITHDRAW_YES = "Rút lại góp ý"
MY_WITHDRAWN = "Đã rút lại góp ý {receipt}."
MY_EDIT_PROMPT = "Bạn gõ nội dung mới cho góp ý {receipt} (tối đa {limit} ký tự)."
MY_EDITED = "Đã lưu nội dung mới cho góp ý {receipt}."
MY_LOCKED = "Góp ý {receipt} không sửa hay rút lại được nữa ({reason})."

ANSWER_NOTICE = (
    "📬 Phản hồi về góp ý {receipt}\n📜 {draft}\n📌 {target}\n{decision}💬 {answer}\n\n"
    "Cảm ơn bạn đã đóng góp ý kiến."
)
ANSWER_DECISION = "Kết quả: {decision}\n"
