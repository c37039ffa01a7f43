"""Everything residents and staff read, in one place for review (NFC)."""

from db.models import CommentStatus, Role, Stance

PRIVACY_NOTICE_VERSION = "2026-11-26.2"  # .2: states the retention period and /dulieu, /xoadulieu

GREETING = (
    "Xin chào! Đây là Loa Số — kênh thông tin của Đảng ủy xã về Đại hội Đảng các cấp "
    "và nơi góp ý vào dự thảo văn kiện."
)

# The notice in full ("Xem đầy đủ"); PRIVACY_NOTICE, at the end of this file, is the short one.
PRIVACY_NOTICE_FULL = (
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

CONSENT_RECORDED = "Cảm ơn bạn. Loa Số đã ghi nhận sự đồng ý của bạn."
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

# A moment as residents read it (strftime), in the campaign's time zone.
LOCAL_TIME = "%H:%M ngày %d/%m/%Y"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

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
    "/dangky — đăng ký nhận bản tin theo thôn, chủ đề; /huy (hoặc gõ “dừng”) để thôi nhận\n"
    "/thi — thi tìm hiểu về Đại hội\n"
    "/phananh — hỏi cán bộ, báo tin sai hay xấu độc, gửi kiến nghị (ẩn danh)\n"
    "/dulieu — xem dữ liệu Loa Số lưu về bạn; /xoadulieu — xóa dữ liệu của bạn\n"
    "/vaitro <mã> — nhận vai trò bằng mã mời của cán bộ xã\n"
    "/trogiup — hướng dẫn này\n\n"
    "Bí thư chi bộ, người đứng đầu đoàn thể: /thongbao để gửi thông báo tới chi bộ, đoàn thể, "
    "thôn mình phụ trách, /hop để ghi buổi sinh hoạt, hội nghị tuyên truyền miệng, /chiase để "
    "lấy bài viết sẵn sàng dán vào nhóm Zalo của thôn. "
    "Cán bộ xã: /duyet để duyệt thông báo đang chờ. Cán bộ và người "
    "phụ trách: /dangnhap để nhận đường dẫn vào trang quản trị.\n\n"
    "Bạn cũng có thể gõ thẳng điều muốn tìm, ví dụ: đại hội xiv.\n"
    "Khi Loa Số đưa ra các lựa chọn, bạn bấm nút, hoặc gõ số thứ tự của lựa chọn "
    "(ví dụ gõ 1). Gõ tiếng Việt có dấu hay không dấu đều được."
)

UNKNOWN_COMMAND = "Loa Số chưa có lệnh /{command}. Bạn chọn một mục dưới đây, hoặc gõ /trogiup."
# The one answer (with the menu) for a button that is out of date, unknown or forged.
STALE = "Lựa chọn này đã cũ hoặc không còn dùng được. Mời bạn chọn lại."
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
NEWS_PINNED = "(Tiểu ban Tuyên truyền và Phục vụ Đại hội đang chọn hiển thị giai đoạn này.)"
NEWS_PICK_TOPIC = "Mời bạn chọn chủ đề:"
NEWS_NO_TOPICS = "Đợt này chưa có bài viết nào. Mời bạn xem các đợt trước hoặc quay lại menu."
NEWS_NOT_STARTED = "Đợt tuyên truyền đầu tiên chưa bắt đầu. Mời bạn xem lịch sự kiện hoặc hỏi đáp."
NEWS_ARCHIVE = "🗂 Các đợt tuyên truyền trước:"
NEWS_PHASE = "🗂 {phase}: {title}\nMời bạn chọn chủ đề:"
NEWS_TOPIC = "📂 {topic} — {count} bài. Mời bạn chọn bài:"
PLACEHOLDER_SHOWN = "(nội dung đang được cập nhật)"
ARTICLE_SOURCES = "Nguồn chính thức:"
ARTICLE_TITLE = "📰 {title}"
ARTICLE_PUBLISHED = "Đăng ngày {date}."

SEARCH_RESULTS = "🔎 Kết quả cho “{query}”. Mời bạn chọn bài:"
SEARCH_RELATED = "📚 Bài viết liên quan, nếu bạn muốn đọc thêm:"  # after an FAQ answer
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
FAQ_ANSWER = "❓ {question}\n\n{answer}"

# -- consultation ----------------------------------------------------------------------------

MENU_CONSULTATION = "Văn kiện & Góp ý"
# Keyed by the enums (which equal their string values), so plain stored codes look up too.
STANCES: dict[str, str] = {Stance.AGREE: "Tán thành", Stance.DISAGREE: "Không tán thành",
           Stance.PARTLY: "Đồng ý một phần"}
STATUSES: dict[str, str] = {CommentStatus.NEW: "Mới nhận", CommentStatus.SEEN: "Đã xem",
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
GY_SECTION = "📌 {label}\n\n{text}"
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
MY_DRAFT_GONE = "Nội dung đã được cập nhật. Mời bạn chọn lại từ menu."

ANSWER_NOTICE = (
    "📬 Phản hồi về góp ý {receipt}\n📜 {draft}\n📌 {target}\n{decision}💬 {answer}\n\n"
    "Cảm ơn bạn đã đóng góp ý kiến."
)
ANSWER_DECISION = "Kết quả: {decision}\n"

# -- subscriptions (/dangky, /huy) -------------------------------------------------------------

MENU_SUBSCRIBE = "Đăng ký nhận tin"
SUB_INTRO = ("Đăng ký nhận tin: Loa Số sẽ gửi cho bạn bản tin của từng đợt tuyên truyền, nhắc "
             "các ngày lễ lớn và thông báo của thôn, chi bộ, đoàn thể nơi bạn sống.\n\n"
             "Trước hết, bạn ở thôn nào? (Thông báo riêng của thôn chỉ gửi cho người chọn thôn "
             "đó.)")
SUB_CURRENT = "Bạn đang nhận: {what}{hamlet}. Chọn lại để thay đổi."
SUB_NO_HAMLET = "Không muốn cho biết"
SUB_ASK_WHAT = "Bạn muốn nhận những tin nào?"
SUB_EVERYTHING = "Tất cả các tin"
SUB_PICK = "Chọn theo chủ đề"
SUB_ASK_TOPICS = "Chọn các chủ đề bạn quan tâm (bấm lần nữa để bỏ chọn), rồi bấm “Tiếp tục”."
SUB_ASK_GROUPS = ("Bạn có muốn nhận thông báo của chi bộ, đoàn thể nào không? Chọn (bấm lần nữa "
                  "để bỏ chọn), rồi bấm “Xong”.")
SUB_NEXT = "Tiếp tục ›"
SUB_DONE = "Xong ✔"
SUB_CHOSEN_MARK = "✅ "
SUB_NOTHING_CHOSEN = "Bạn chưa chọn mục nào. Hãy chọn ít nhất một chủ đề hoặc một đoàn thể."
SUB_CONFIRMED = ("Đã đăng ký nhận tin.\n• Thôn: {hamlet}\n• Nội dung: {what}\n\n"
                 "Muốn thay đổi, gõ /dangky. Muốn dừng nhận tin bất cứ lúc nào, gõ /huy "
                 "(hoặc gõ “dừng”).")
SUB_HAMLET_UNKNOWN = "không cho biết"
SUB_EVERYTHING_SUMMARY = "tất cả các tin"
SUB_UNSUBSCRIBED = ("Đã hủy mọi đăng ký nhận tin: Loa Số sẽ không gửi bản tin cho bạn nữa. "
                    "Muốn nhận lại, gõ /dangky.")
SUB_NOT_SUBSCRIBED = "Bạn chưa đăng ký nhận tin nào. Muốn nhận bản tin, gõ /dangky."
SUB_CHOOSE_WITH_BUTTONS = "Hãy chọn một mục ở trên (bấm nút hoặc gõ số), hoặc gõ /huy để thôi."
SUB_CONSENT_REFUSED = ("Không có sự đồng ý thì Loa Số không thể lưu đăng ký nhận tin. Bạn vẫn "
                       "đọc được mọi tin bằng /tin.")
SUB_FLOW_CANCELLED = "Đã dừng việc đăng ký; chưa có gì thay đổi."
# What a resident may type, outside a flow or in this one, to stop their subscriptions.
SUB_STOP_WORDS = ("dừng", "hủy", "huỷ", "stop", "dung lai", "dừng lại", "hủy đăng ký")

# -- the quiz (/thi) ---------------------------------------------------------------------------

MENU_QUIZ = "Thi tìm hiểu"
QUIZ_INTRO = ("🏆 Thi tìm hiểu về Đại hội Đảng bộ các cấp và Đại hội XIV của Đảng.\n\n"
              "Mỗi lượt có {size} câu hỏi trắc nghiệm, mỗi câu 4 phương án. Sau mỗi câu, Loa Số "
              "cho biết đáp án, giải thích ngắn và nguồn để bạn đọc thêm. Bạn chơi bao nhiêu lượt "
              "cũng được.")
QUIZ_START = "Bắt đầu lượt thi"
QUIZ_CONTINUE = "Tiếp tục lượt đang dở (câu {number}/{total})"
QUIZ_AGAIN = "Chơi lượt mới"
QUIZ_BOARD = "Bảng xếp hạng"
QUIZ_JOIN = "Hiện tên trên bảng xếp hạng"
QUIZ_LEAVE = "Rút tên khỏi bảng xếp hạng"
QUIZ_CANCEL = "Hủy"
QUIZ_NO_QUESTIONS = "Bộ câu hỏi thi tìm hiểu đang được chuẩn bị. Mời bạn quay lại sau."
QUIZ_NEEDS_CONSENT = ("Kết quả thi được lưu lại để bạn xem lại (và để xếp hạng, nếu bạn muốn), "
                      "nên Loa Số cần bạn đồng ý trước khi bắt đầu.")
QUIZ_CONSENT_REFUSED = ("Không có sự đồng ý thì Loa Số không thể lưu kết quả thi. Bạn vẫn đọc được "
                        "mọi tin bằng /tin.")
QUIZ_QUESTION = "Câu {number}/{total}\n\n{question}"
QUIZ_RIGHT = "✅ Chính xác!"
QUIZ_WRONG = "❌ Chưa đúng. Đáp án đúng là phương án {number}: {answer}."
QUIZ_EXPLANATION = "{verdict}\n\n{explanation}\n\nNguồn: {source}"
QUIZ_FINISHED = "🏁 Hết lượt thi! Bạn trả lời đúng {score}/{total} câu."
QUIZ_ALREADY_FINISHED = ("Lượt thi này đã kết thúc (bạn đúng {score}/{total} câu), nên lựa chọn "
                         "này không được tính. Mời bạn chơi lượt mới.")
QUIZ_EXPIRED = ("Lượt thi này đã quá {hours} giờ không có câu trả lời nên đã hết hạn; lựa chọn này "
                "không được tính. Mời bạn chơi lượt mới.")
QUIZ_REPLACED = ("Lựa chọn này thuộc một lượt thi cũ (bạn đã bắt đầu lượt mới), nên không được "
                 "tính.")
QUIZ_ANSWERED = ("Bạn đã trả lời câu {number} rồi: mỗi câu chỉ tính lần trả lời đầu tiên. "
                 "Mời bạn trả lời câu đang hỏi.")
QUIZ_NOT_YOURS = "Lựa chọn này không thuộc lượt thi nào đang chơi của bạn, nên không được tính."
QUIZ_NOTHING_TO_CONTINUE = ("Không còn lượt thi nào đang dở: lượt trước đã xong hoặc đã quá "
                            "{hours} giờ không có câu trả lời.")
QUIZ_QUESTION_GONE = ("Câu hỏi này vừa được gỡ khỏi bộ câu hỏi nên không tính điểm; mời bạn "
                      "sang câu tiếp theo.")
QUIZ_BOARD_HEAD = ("🏆 Bảng xếp hạng thi tìm hiểu: kết quả cao nhất của mỗi người, chỉ gồm những "
                   "ai đã chọn hiện tên.")
QUIZ_BOARD_LINE = "{rank}. {who} — đúng {score}/{total} câu"
QUIZ_BOARD_EMPTY = ("Bảng xếp hạng chưa có ai. Hãy thi một lượt và chọn “Hiện tên trên bảng "
                    "xếp hạng”.")
QUIZ_ON_BOARD = "Bạn đang hiện trên bảng xếp hạng là: {who}."
QUIZ_ASK_NAME = ("Bảng xếp hạng chỉ hiện tên gọi và thôn của bạn, ngoài ra không hiện gì khác. "
                 "Bạn muốn hiện tên gì? Chỉ gõ tên gọi, không cần họ (ví dụ: Lan).")
QUIZ_BAD_NAME = ("Tên gọi chỉ gồm chữ cái, tối đa {words} chữ và {limit} ký tự (ví dụ: Lan, Ngọc "
                 "Anh); không ghi số điện thoại hay địa chỉ. Mời bạn gõ lại.")
QUIZ_ASK_HAMLET = "Bạn ở thôn nào? Bảng xếp hạng hiện tên thôn bên cạnh tên gọi."
QUIZ_NO_HAMLET = "Không nêu thôn"
QUIZ_JOINED = ("Đã ghi. Bạn hiện trên bảng xếp hạng là: {who}. Muốn thôi, chọn “Rút tên khỏi "
               "bảng xếp hạng” trong mục Thi tìm hiểu.")
QUIZ_LEFT = ("Đã rút tên bạn khỏi bảng xếp hạng. Kết quả thi vẫn được giữ để bạn xem lại "
             "(/dulieu); muốn xóa hẳn, gõ /xoadulieu.")
QUIZ_NOT_ON_BOARD = "Bạn chưa có tên trên bảng xếp hạng, nên không có gì phải rút."
QUIZ_CANCELLED = "Đã hủy, không có gì thay đổi."

# -- roles (/vaitro) ----------------------------------------------------------------------------

VT_ROLE_NAMES: dict[str, str] = {
    Role.LEADER: "Người phụ trách (bí thư chi bộ, người đứng đầu đoàn thể)",
    Role.STAFF: "Cán bộ xã",
    Role.ADMIN: "Quản trị Loa Số",
}
VT_HOW = (
    "Gõ /vaitro kèm mã mời cán bộ xã gửi bạn, ví dụ: /vaitro ABCD-EFGH "
    "(chữ hoa hay thường, có dấu gạch hay không đều được)."
)
VT_CURRENT = "Vai trò hiện tại của bạn:\n{roles}"
VT_WRITE = "Soạn thông báo"
VT_SENT = "Thông báo đã gửi"
VT_REVIEW = "Duyệt thông báo"
VT_CONSOLE = "Vào trang quản trị"
VT_CURRENT_LINE = "• {role}{scope}"
VT_SCOPE = " — phụ trách: {names}"
VT_NEEDS_CONSENT = (
    "Vai trò gắn với bạn là thông tin cá nhân, nên Loa Số cần bạn đồng ý trước khi ghi nhận."
)
VT_CONSENT_REFUSED = ("Không có sự đồng ý thì Loa Số không thể ghi nhận vai trò của bạn. "
                      "Mã mời vẫn dùng được khi bạn đồng ý.")
VT_UNKNOWN = (
    "Mã mời không đúng. Bạn kiểm tra lại mã (8 ký tự, dạng ABCD-EFGH) hoặc hỏi cán bộ "
    "đã gửi mã cho bạn."
)
VT_EXPIRED = "Mã mời này đã hết hạn. Bạn xin cán bộ xã cấp mã mới."
VT_USED = "Mã mời này đã được dùng. Mỗi mã chỉ dùng được một lần; bạn xin cán bộ xã cấp mã mới."
VT_REVOKED = "Mã mời này đã bị thu hồi. Bạn liên hệ cán bộ xã nếu cần."
VT_GRANTED = "✅ Bạn đã nhận vai trò: {role}{scope}."
VT_NEXT_LEADER = "Gõ /thongbao để soạn thông báo gửi tới nhóm, thôn bạn phụ trách."
VT_NEXT_STAFF = "Gõ /duyet để duyệt thông báo, /thongbao để gửi thông báo."

# -- console sign-in link (/dangnhap) ---------------------------------------------------------

DN_LINK = ("🔐 Đường dẫn đăng nhập trang quản trị Loa Số (dùng được một lần, trong 10 phút):\n"
           "{url}\n\nĐừng chuyển đường dẫn này cho người khác.")
DN_NO_ROLE = ("Chức năng này dành cho cán bộ xã và người phụ trách chi bộ, đoàn thể. Nếu bạn "
              "được mời, gõ /vaitro và mã mời (ví dụ: /vaitro ABCD-EFGH), rồi gõ lại /dangnhap.")
DN_NO_ADDRESS = ("Trang quản trị chưa có địa chỉ công khai (thiết lập LOASO_PUBLIC_URL chưa được "
                 "đặt), nên Loa Số chưa gửi được đường dẫn đăng nhập. Bạn báo quản trị viên Loa "
                 "Số đặt LOASO_PUBLIC_URL, hoặc đăng nhập bằng tên và mật khẩu.")
DN_DISABLED = "Tài khoản trang quản trị của bạn đã bị khóa. Bạn liên hệ quản trị viên Loa Số."

# -- my data (/dulieu, /xoadulieu) -------------------------------------------------------------

MENU_MY_DATA = "Dữ liệu của tôi"
DATA_TITLE = "🗂 Dữ liệu Loa Số đang giữ về bạn"
DATA_NOTHING_KEPT = (
    "🗂 Dữ liệu của tôi\n\n"
    "Loa Số không giữ thông tin cá nhân nào của bạn. Bạn chưa đồng ý lưu dữ liệu, nên Loa Số "
    "chỉ giữ mã cuộc trò chuyện trên {channel} để trả lời tin nhắn của bạn; không lưu tên, "
    "số điện thoại hay nội dung tin nhắn.\n\n"
    "Khi bạn đăng ký nhận tin, góp ý hay thi tìm hiểu, Loa Số sẽ hỏi sự đồng ý của bạn trước."
)
DATA_ADDRESS = "📱 Mã cuộc trò chuyện trên {channel}: {address} (để trả lời bạn)."
DATA_CONSENT_GIVEN = "✅ Đồng ý lưu dữ liệu: từ {when} (thông báo phiên bản {version})."
DATA_CONSENT_NONE = "⚪ Đồng ý lưu dữ liệu: chưa đồng ý hoặc đã rút lại."
DATA_HAMLET = "🏡 Thôn: {hamlet}."
DATA_HAMLET_NONE = "🏡 Thôn: chưa chọn."
DATA_SUBSCRIBED = "📬 Đăng ký nhận tin: {what}."
DATA_SUBSCRIBED_ALL = "tất cả các tin"
DATA_SUBSCRIBED_TOPICS = "chủ đề {names}"
DATA_SUBSCRIBED_GROUPS = "tin của {names}"
DATA_SUBSCRIBED_NONE = "📬 Đăng ký nhận tin: chưa đăng ký."
DATA_LEADERBOARD = "🏆 Tên trên bảng xếp hạng thi tìm hiểu: {name}."
DATA_ROLES = "🔑 Vai trò: {roles}."
DATA_ROLE_NAMES = {"leader": "phụ trách chi bộ, đoàn thể", "staff": "cán bộ", "admin": "quản trị"}
DATA_ROLE_SCOPE = "{role} ({scope})"
DATA_ANNOUNCEMENTS = "📣 Thông báo bạn đã soạn gửi đến người dân: {count}."
DATA_COMMENTS = "✍️ Góp ý đã gửi: {count}."
DATA_COMMENTS_NONE = "✍️ Góp ý đã gửi: chưa có."
DATA_COMMENT_LINE = "• {receipt}, {when}: {target} ({status})"
DATA_COMMENTS_MORE = "• … và {count} góp ý khác (chọn “Xem góp ý của tôi”)."
DATA_QUIZ = "🎯 Thi tìm hiểu: {count} lượt đã làm xong, điểm cao nhất {best}."
DATA_QUIZ_LAST = "Lượt gần nhất ngày {day}: {score}."
DATA_QUIZ_UNFINISHED = "🎯 Thi tìm hiểu: {count} lượt đang làm dở."
DATA_QUIZ_NONE = "🎯 Thi tìm hiểu: chưa tham gia."
DATA_SCORE = "{score}/{total} câu đúng"
DATA_RETENTION = (
    "⏳ Thời hạn lưu: nếu bạn không nhắn tin cho Loa Số trong {days} ngày, các thông tin trên "
    "tự động được xóa."
)
DATA_ACTIONS = (
    "Muốn dừng nhận tin, gõ /huy. Muốn xóa toàn bộ dữ liệu trên, chọn “Xóa dữ liệu của tôi” "
    "hoặc gõ /xoadulieu."
)
DATA_SEE_COMMENTS = "Xem góp ý của tôi"
DATA_ERASE = "Xóa dữ liệu của tôi"
DATA_ERASE_NOTHING = (
    "Loa Số không giữ dữ liệu cá nhân nào của bạn, nên không có gì để xóa. Loa Số chỉ giữ "
    "mã cuộc trò chuyện để trả lời tin nhắn của bạn."
)
DATA_ERASE_CONFIRM = (
    "⚠️ Xóa dữ liệu của bạn\n\n"
    "Nếu bạn xác nhận, Loa Số sẽ làm ngay:\n"
    "• hủy mọi đăng ký nhận tin và dừng các tin đang chờ gửi cho bạn;\n"
    "• xóa thôn, tên hiển thị, kết quả thi tìm hiểu và vai trò (nếu có);\n"
    "• giữ góp ý của bạn chỉ dưới dạng ẩn danh: nội dung và mục góp ý còn lại để tổng hợp, "
    "mọi liên kết với bạn (tên, thôn, tài khoản) bị xóa, nên bạn không xem hay sửa được nữa;\n"
    "• rút lại sự đồng ý lưu dữ liệu.\n\n"
    "Việc này không hoàn tác được. Bạn chắc chắn muốn xóa?"
)
DATA_ERASE_YES = "Xóa ngay"
DATA_ERASE_NO = "Không xóa"
DATA_ERASE_KEPT = "Loa Số chưa xóa gì. Dữ liệu của bạn vẫn giữ nguyên."
DATA_ERASED = "🗑 Loa Số đã xóa dữ liệu của bạn:"
DATA_ERASED_LINES = {
    "subscriptions": "• Đã hủy {n} đăng ký nhận tin.",
    "messages_cancelled": "• Đã dừng {n} tin đang chờ gửi cho bạn.",
    "messages_in_flight": "• {n} tin đang được gửi đúng lúc này nên không dừng kịp.",
    "messages_cleared": "• Đã xóa nội dung {n} tin Loa Số từng gửi cho bạn khỏi máy chủ.",
    "profile": "• Đã xóa thôn và tên hiển thị của bạn.",
    "comments_anonymised": "• {n} góp ý được giữ lại dưới dạng ẩn danh, không còn liên kết "
                           "với bạn.",
    "quiz_rounds": "• Đã xóa {n} lượt thi tìm hiểu.",
    "roles_revoked": "• Đã thu hồi {n} vai trò.",
    "announcements_unlinked": "• {n} thông báo bạn từng gửi không còn ghi bạn là người gửi.",
    "consent": "• Đã rút lại sự đồng ý lưu dữ liệu.",
}
DATA_ERASED_END = (
    "Từ nay Loa Số chỉ giữ mã cuộc trò chuyện để trả lời bạn. Bạn vẫn đọc được mọi tin "
    "công khai; muốn đăng ký hay góp ý lại, Loa Số sẽ hỏi sự đồng ý của bạn."
)

# -- leaders' announcements (/thongbao) and their approval (/duyet) ----------------------------

# A refusal says how to get the role (issue 16, item 6).
NOT_FOR_YOU = ("Chức năng này dành cho bí thư chi bộ và cán bộ được xã mời; nếu bạn được mời, "
               "gõ /vaitro và mã mời (ví dụ: /vaitro ABCD-EFGH).")
NOT_FOR_YOU_STAFF = ("Chức năng duyệt thông báo dành cho cán bộ xã; nếu bạn được xã mời làm cán "
                     "bộ, gõ /vaitro và mã mời (ví dụ: /vaitro ABCD-EFGH).")
TB_START = (
    "✍️ Soạn thông báo. Bạn gửi được tới: {scope}.\n\n"
    "Mời bạn gõ nội dung thông báo (tối đa {limit} ký tự)."
)
TB_NO_SCOPE = (
    "Gói nội dung hiện tại không còn nhóm hay thôn nào bạn phụ trách, nên chưa gửi được "
    "thông báo. Bạn liên hệ cán bộ xã."
)
TB_EMPTY = "Thông báo cần có nội dung bằng chữ. Mời bạn gõ lại."
TB_TOO_LONG = "Thông báo dài {count} ký tự, tối đa {limit}. Mời bạn rút gọn rồi gửi lại."
TB_PICK_AUDIENCE = "Gửi thông báo này tới ai? Mời bạn chọn:"
TB_EVERYONE = "Tất cả người đăng ký"
TB_WHOLE_HAMLET = "{name} (cả thôn)"
TB_NOT_YOURS = "Bạn chỉ gửi được thông báo tới nhóm và thôn mình phụ trách. Mời bạn chọn lại."
TB_PREVIEW = (
    "📝 Xem trước thông báo:\n\n{message}\n\n👥 Gửi tới: {audience} — hiện có {count} người nhận."
)
TB_NOBODY_YET = (
    "(Hiện chưa có ai trong nhóm này đăng ký nhận tin; người đăng ký trước lúc gửi vẫn "
    "nhận được.)"
)
TB_NEEDS_APPROVAL = "Thông báo sẽ được cán bộ xã duyệt trước khi gửi."
TB_PRIORITY_LINE = "🔔 Mức độ: {name}."
TB_PRIORITY_BUTTON = "Mức độ: {name}"
TB_PICK_PRIORITY = (
    "Chọn mức độ của thông báo. Thông báo “khẩn cấp” được đọc đầu tiên trong bản tin loa "
    "truyền thanh kế tiếp; trong chat, mọi mức độ đều được gửi như nhau."
)
TB_PRIORITY_OPTION = "{name}"
TB_SEND_NOW = "Gửi ngay"
TB_SCHEDULE = "Hẹn giờ"
TB_EDIT = "Sửa nội dung"
TB_CANCEL = "Hủy"
TB_PICK_TIME = (
    "⏰ Chọn giờ gửi, hoặc gõ thời điểm theo dạng ngày/tháng giờ:phút, ví dụ {example} "
    "(giờ Việt Nam)."
)
TB_TODAY = "{time} hôm nay ({date})"
TB_TOMORROW = "{time} ngày mai ({date})"
TB_ON_DAY = "{time} ngày {date}"
TB_BAD_TIME = (
    "Loa Số không đọc được thời điểm “{text}”. Mời bạn gõ theo dạng ngày/tháng giờ:phút, "
    "ví dụ {example}."
)
TB_PAST_TIME = (
    "Thời điểm {when} đã qua. Mời bạn chọn một thời điểm sau bây giờ (hẹn sang năm sau thì "
    "gõ thêm năm, ví dụ 05/01/{year} 07:30)."
)
TB_TOO_FAR = "Chỉ hẹn giờ được trong vòng một năm tới. Mời bạn chọn thời điểm khác."
TB_PENDING = (
    "📨 Đã gửi thông báo #{id} để cán bộ xã duyệt ({when}). Bạn sẽ nhận tin khi có kết quả. "
    "Xem tình trạng: /thongbao → “Thông báo đã gửi”."
)
TB_SCHEDULED = "✅ Thông báo #{id} đã được xếp lịch: {when}, tới {audience}."
TB_WHEN_NOW = "gửi ngay"
TB_WHEN_AT = "gửi lúc {when}"
TB_REVOKED = "Bạn không còn quyền gửi thông báo này, nên thông báo chưa được gửi đi."
TB_CANCELLED = "Đã hủy. Không có thông báo nào được gửi."
TB_MINE = "📋 Thông báo gần đây của bạn:"
TB_MINE_ITEM = "#{id} · {status} · {when}\nTới: {audience}\n“{excerpt}”"
TB_MINE_COUNTS = "Tin nhắn: {counts}."
TB_MINE_NOTE = "Ghi chú của cán bộ: {note}"
TB_MINE_NONE = "Bạn chưa gửi thông báo nào."
TB_MINE_BUTTON = "Thông báo đã gửi"
TB_REFRESH = "Làm mới"
TB_NEW = "Soạn thông báo mới"
TB_ACTOR = "cán bộ #{user} ({channel})"  # who decided, in the announcement's history

DY_NONE = "Không có thông báo nào chờ duyệt."
DY_ITEM = (
    "🗳 Chờ duyệt: {count} thông báo. Thông báo #{id}{priority}:\n\n"
    "Người viết: {author}\nGửi tới: {audience} (hiện có {recipients} người nhận)\n"
    "Thời gian: {when}\nViết lúc: {created}\n\n{text}"
)
DY_APPROVE = "Duyệt #{id}"
DY_REJECT = "Từ chối #{id}"
DY_NEXT = "Thông báo tiếp theo"
DY_APPROVED = "Đã duyệt thông báo #{id}. Người viết đã được báo."
DY_REJECTED = "Đã từ chối thông báo #{id}. Người viết đã được báo."
DY_ALREADY = "Thông báo #{id} đã được xử lý trước đó (hiện: {status})."
DY_ASK_REASON = (
    "Mời bạn gõ lý do từ chối thông báo #{id} (người viết sẽ đọc được), hoặc chọn "
    "“Từ chối, không ghi lý do”."
)
DY_NO_REASON = "Từ chối, không ghi lý do"
DY_BACK = "Quay lại"
DY_REASON_TOO_LONG = "Lý do dài {count} ký tự, tối đa {limit}. Mời bạn gõ ngắn hơn."


# -- Floods (issue 20): a resident sending too fast, invite codes guessed ------------------------
FLOOD_NOTICE = (
    "Bạn đang gửi tin nhắn nhanh quá. Loa Số xin tạm dừng trả lời trong ít phút; "
    "mời bạn chờ một lát rồi nhắn lại. Cảm ơn bạn!"
)
VT_TOO_MANY = (
    "Bạn đã nhập sai mã mời nhiều lần. Để giữ an toàn, mời bạn thử lại sau một giờ, hoặc "
    "liên hệ cán bộ đã gửi mã cho bạn."
)
# -- questions and reports (/phananh), meetings (/hop), staff alerts: issue 17 ---------------

MENU_ASK = "Hỏi – Phản ánh"
PA_KINDS = {"hoi": "Hỏi", "tin_sai": "Báo tin sai/xấu độc", "kien_nghi": "Kiến nghị"}
PA_INTRO = (
    "Hỏi – Phản ánh: bạn có thể hỏi điều phần Hỏi đáp chưa trả lời, báo cho cán bộ một tin "
    "sai hay xấu độc về Đại hội mà bạn thấy (bài đăng, lời đồn, đường link), hoặc gửi kiến "
    "nghị. Phản ánh được gửi ẩn danh: cán bộ không biết bạn là ai. Câu trả lời sẽ được gửi lại "
    "cho bạn kèm mã phản ánh.\n\nBạn muốn gửi loại nào?"
)
PA_TYPE_TEXT = (
    "{kind}: mời bạn gõ nội dung (tối đa {limit} ký tự). Có thể dán đường link, hoặc gửi một "
    "ảnh kèm chú thích."
)
PA_TOO_LONG = "Nội dung dài {count} ký tự, vượt giới hạn {limit} ký tự. Bạn rút gọn giúp Loa Số."
PA_NO_WORDS = (
    "Phản ánh cần có chữ (nhãn dán, biểu tượng cảm xúc hay dấu câu chưa đủ). Bạn gõ nội dung "
    "giúp Loa Số."
)
PA_PHOTO_TOO_BIG = (
    "Ảnh này nặng {size} MB, vượt giới hạn {limit} MB mà Loa Số nhận được. Bạn gửi ảnh nhỏ hơn "
    "hoặc dán đường link."
)
PA_PREVIEW = "Xem lại trước khi gửi:\n\n🏷 {kind}\n💬 {text}{extra}\n\n👤 Ẩn danh"
PA_PHOTO_LINE = "\n🖼 Có kèm ảnh"
PA_LINK_LINE = "\n🔗 {link}"
PA_SEND = "Gửi"
PA_CANCEL = "Hủy"
PA_CANCELLED = "Đã hủy, không có gì được gửi."
PA_RECEIPT = (
    "✅ Đã nhận phản ánh của bạn. Mã phản ánh: {receipt}\n\nCán bộ sẽ trả lời qua Loa Số; câu "
    "trả lời sẽ có mã này."
)
PA_ALREADY_SENT = "Phản ánh này đã được gửi rồi, mã {receipt}."
PA_ANSWER_NOTICE = "📬 Trả lời phản ánh {receipt}\n🏷 {kind}\n\n💬 {answer}\n\nCảm ơn bạn đã phản ánh."
PA_CORRECTION_LINE = "\n\n🔎 Bài kiểm chứng đã đăng trong mục “Kiểm chứng thông tin”: {title}"
PA_SENSITIVE_ALERT = (
    "⚠️ Phản ánh nhạy cảm {receipt} ({kind}), chủ đề: {tags}.\nXem: loaso inbox show {receipt}"
)
PA_NO_TAGS = "chưa gắn"
CORRECTION_TOPIC_NAME = "Kiểm chứng thông tin"
PA_NEEDS_CONSENT = "Để gửi phản ánh, Loa Số cần bạn đồng ý với cách giữ dữ liệu dưới đây."
PA_CONSENT_REFUSED = "Bạn chưa đồng ý nên Loa Số không nhận phản ánh. Bạn vẫn xem tin bình thường."
PA_PHOTO_NEEDS_TEXT = "Đã nhận ảnh. Mời bạn gõ vài dòng nói rõ ảnh này về việc gì."
PA_STATUSES = {"moi": "mới", "dang_xu_ly": "đang xử lý", "da_tra_loi": "đã trả lời",
               "chuyen_cap_tren": "chuyển cấp trên", "khong_xu_ly": "không xử lý"}
HOP_HOME = (
    "Ghi buổi sinh hoạt, hội nghị tuyên truyền miệng: ngày họp, thôn hoặc chi bộ/tổ chức, chủ "
    "đề, số người dự, số ý kiến thu được và ghi chú. Buổi bạn đã ghi được sửa trong 7 ngày."
)
HOP_NEW = "Ghi buổi mới"
HOP_EDIT_ITEM = "Sửa buổi số {id} ({day})"
HOP_ASK_DATE = "Buổi sinh hoạt họp ngày nào? Gõ ngày theo dạng ngày/tháng/năm, ví dụ 15/01/2026."
HOP_TODAY = "Hôm nay"
HOP_BAD_DATE = "“{text}” chưa phải là ngày. Gõ theo dạng ngày/tháng/năm, ví dụ 15/01/2026."
HOP_ASK_PLACE = "Buổi sinh hoạt của thôn hay chi bộ/tổ chức nào?"
HOP_ASK_TOPIC = "Chủ đề chính của buổi sinh hoạt?"
HOP_ASK_ATTENDANCE = "Có bao nhiêu người dự? Gõ một con số."
HOP_BAD_NUMBER = "“{text}” chưa phải là một con số. Mời bạn gõ lại, ví dụ 45."
HOP_ASK_COMMENTS = "Thu được bao nhiêu ý kiến của người dự? Gõ một con số, hoặc chọn “Bỏ qua”."
HOP_ASK_NOTES = "Ghi chú thêm (không bắt buộc), hoặc chọn “Bỏ qua”."
HOP_SKIP = "Bỏ qua"
HOP_PREVIEW = (
    "Xem lại buổi sinh hoạt:\n\n📅 {day}\n📍 {place}\n🏷 {topic}\n👥 {attendance} người dự\n"
    "💬 {comments} ý kiến thu được\n📝 {notes}"
)
HOP_SAVE = "Lưu"
HOP_CANCEL = "Hủy"
HOP_SAVED = "✅ Đã ghi buổi sinh hoạt số {id}. Bạn sửa được trong 7 ngày bằng /hop."
HOP_EDITED = "✅ Đã sửa buổi sinh hoạt số {id}."
HOP_CANCELLED = "Đã hủy, không ghi gì."
HOP_NO_NOTES = "(không có)"
# --- /chiase and `loaso share`: text for hamlet Zalo groups (issue 19) -----------------------
CS_PICK = "📋 Chọn bài cần chia sẻ vào nhóm Zalo của thôn:"
CS_NONE = "Hôm nay chưa có bài nào để chia sẻ."
CS_READY = (
    "Dưới đây là nội dung đã sẵn sàng: nhấn giữ tin nhắn tiếp theo, chọn Sao chép, rồi dán vào "
    "nhóm Zalo."
)
CS_READY_NO_LINK = (
    "Dưới đây là nội dung đã sẵn sàng: nhấn giữ tin nhắn tiếp theo, chọn Sao chép, rồi dán vào "
    "nhóm Zalo. (Chưa có địa chỉ trang tin công khai nên chưa kèm đường dẫn.)"
)
CS_READ_MORE = "Đọc đầy đủ: {url}"
CS_SIGNATURE = "— {organisation}"
# -- consent where data is written, steps whose precondition no longer holds (issue 20) ------
CONSENT_NEEDED_TO_SAVE = (
    "Bạn chưa đồng ý (hoặc đã rút lại sự đồng ý) cho Loa Số lưu thông tin cá nhân, nên Loa Số "
    "chưa lưu gì cả. Nếu bạn đồng ý, Loa Số sẽ lưu tiếp ngay."
)
GY_STANCE_NEEDS_TEXT = (
    "Ý kiến “{stance}” cần kèm nội dung góp ý, nên Loa Số chưa gửi. Mời bạn gõ nội dung."
)
DY_AUTHOR_LOST_ROLE = (
    "Không thể duyệt thông báo #{id}: người viết không còn vai trò được gửi tới những người "
    "nhận này. Thông báo đã được hủy, không gửi đi."
)

# -- free text that becomes public, and button labels typed (issue 20) -------------------------
# Typed where a leaderboard name is asked, these are a greeting or a command, not a name
# (compared without diacritics or case).
NOT_NAMES = ("xin chào", "chào", "chào bạn", "chào anh", "chào chị", "chào em", "chào ad",
             "hello", "hi", "alo", "a lô", "menu", "ok", "oke", "cảm ơn", "start", "bắt đầu",
             "hủy", "thoát", "trợ giúp", "help", "test", "không", "yes", "no")
QUIZ_NAME_NOT_A_NAME = (
    "“{text}” giống lời chào hoặc một lệnh hơn là tên, nên Loa Số chưa ghi. Mời bạn gõ tên "
    "gọi sẽ hiện trên bảng xếp hạng (ví dụ: Lan, Ngọc Anh), hoặc chọn “Hủy”."
)
# -- residents understood, content true to its date (issue 16) ---------------------------------

CALENDAR_MONTH = "📌 {month}"
CHOOSE_IN_RANGE = "Bạn chọn từ 1 đến {count} nhé:"
NUMBER_WITHOUT_OPTIONS = "Bạn gõ số để chọn một mục trong danh sách. Mời bạn chọn:"
FLOW_LEFT = "Đã thoát, chưa có gì thay đổi. Bạn muốn xem gì tiếp?"
GY_KEEP_COMMENT = "✍️ Gửi câu này thành góp ý"
GY_KEPT_PICK_DRAFT = "Bạn muốn gửi góp ý vào dự thảo nào? Câu bạn vừa gõ được giữ lại."
GY_KEPT_NO_DRAFT = ("Hiện chưa có dự thảo nào đang lấy ý kiến, nên Loa Số chưa nhận được góp ý "
                    "này. Mời bạn xem các dự thảo:")
GY_KEPT_USED = "Nội dung góp ý: “{text}”"
# Pushed by the scheduler (scheduler/bulletins.py): each within 600 characters.
BULLETIN_READ_MORE = "Đọc toàn bài"
BULLETIN_ANNIVERSARY = "Hôm nay, {date}: {name}.\n\nGõ /tin để đọc các bài tuyên truyền của đợt này."
BULLETIN_PHASE_START = "Từ hôm nay, {date}, chiến dịch tuyên truyền bước vào {phase}{title}."
BULLETIN_STAGE_START = "Từ hôm nay, {date}, chiến dịch bước vào giai đoạn {stage} của {phase}."
BULLETIN_PERIOD_HINT = "Gõ /tin để xem các tin của đợt này, /lich để xem lịch sự kiện."
# /start: a short greeting, then this notice (at most 700 characters); the rest behind
# "Xem đầy đủ" (PRIVACY_NOTICE_FULL). The version is shown once, in the full notice.
PRIVACY_NOTICE = (
    "🔒 Về dữ liệu cá nhân\n\n"
    "Đọc tin không cần đồng ý. Chưa đồng ý, Loa Số chỉ giữ mã cuộc trò chuyện để trả lời bạn.\n\n"
    "Nếu bạn đồng ý, Loa Số lưu thêm: thôn và chủ đề nhận tin, góp ý bạn gửi (có thể ẩn danh), "
    "kết quả thi tìm hiểu, để gửi tin Đại hội và nhận góp ý của bạn; không dùng để đánh giá "
    "hay lập danh sách người dân.\n\n"
    "Không nhắn tin trong {days} ngày, thông tin của bạn tự xóa. Bạn xem, rút lại hay xóa dữ "
    "liệu bất cứ lúc nào: /dulieu, /xoadulieu.\n\n"
    "Bạn có đồng ý không?"
)
PRIVACY_MORE = "Xem đầy đủ"
# /dangky's topic picker after a tap, where the list is not redrawn in place.
SUB_TOPIC_ADDED = ("✅ Đã chọn “{topic}” ({count} chủ đề). Gõ số để chọn thêm hoặc bỏ chọn; "
                   "chọn “Tiếp tục ›” khi xong.")
SUB_TOPIC_REMOVED = ("Đã bỏ chọn “{topic}” ({count} chủ đề). Gõ số để chọn thêm hoặc bỏ chọn; "
                     "chọn “Tiếp tục ›” khi xong.")
# -- web chat (bot/channels/web.py) ------------------------------------------------------------

# What erasure says it removed from a web resident's conversation history.
DATA_ERASED_LINES["web_history"] = "• Đã xóa {n} dòng trò chuyện trên trang web khỏi máy chủ."
REPORT_CAPTION = "📊 {title} ({span}), {reason}."
REPORT_LINK = "Tải về trong trang quản trị:"
REPORT_REASONS = {"weekly": "báo cáo hằng tuần", "phase_end": "kết thúc {phase}",
                  "on_demand": "theo yêu cầu"}
OPINION_TITLE = "Tình hình dư luận"
OPINION_DIGEST = (
    "🗞 {title} {span}\n\nCâu hỏi, phản ánh trong tuần: {total}.\nTheo loại: {kinds}.\n"
    "Theo chủ đề: {topics}.\n\nCâu hỏi được hỏi nhiều:\n{asked}\n\nChưa trả lời quá {days} ngày: "
    "{waiting}"
)
OPINION_NONE = "không có"
DATA_ERASED_LINES.update({
    "inquiries_unlinked": "• {n} câu hỏi, phản ánh được giữ lại dưới dạng ẩn danh; câu trả lời "
                          "không còn gửi được cho bạn.",
    "meetings_unlinked": "• {n} buổi sinh hoạt bạn đã ghi không còn liên kết với bạn.",
})
