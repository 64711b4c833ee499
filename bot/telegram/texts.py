"""Every text the Telegram bot shows, in Vietnamese, in one place.

Templates are Telegram HTML (``&lt;`` where a literal ``<`` is meant); ``{name}``
fields are filled by :mod:`bot.telegram.views` with escaped values.  Why a file was
not indexed comes from :data:`bot.errors.SKIP_REASON_VI`.
"""

from __future__ import annotations

# -- access and input -----------------------------------------------------------------------------------------
NOT_ALLOWED = "Xin lỗi, bot chưa được bật cho cuộc trò chuyện này. Vui lòng liên hệ quản trị viên nếu bạn cần sử dụng."
ADMIN_ONLY = "Xin lỗi, lệnh này chỉ dành cho quản trị viên."
PRIVATE_ONLY = "Lệnh quản trị chỉ dùng trong tin nhắn riêng với bot."
UPLOAD_ADMIN_ONLY = (
    "Xin lỗi, chỉ quản trị viên mới có thể thêm tài liệu vào kho. Bạn có thể gõ câu hỏi để tra cứu tài liệu hiện có."
)
ASK_USAGE = "Cú pháp: /ask &lt;câu hỏi&gt;\nVí dụ: /ask Quy trình nhân sự đại hội gồm mấy bước?"
NON_TEXT = (
    "Tôi chỉ đọc được câu hỏi bằng chữ (chưa đọc được ảnh, nhãn dán hay tin nhắn thoại). "
    "Hãy gõ câu hỏi, ví dụ: “Quy trình nhân sự đại hội gồm mấy bước?”"
)
UNKNOWN_COMMAND = "Không có lệnh này. Gõ /help để xem hướng dẫn và các lệnh."
EMPTY_MENTION = (
    "Bạn muốn hỏi gì? Hãy viết câu hỏi ngay sau tên bot, ví dụ: {mention} Quy trình nhân sự đại hội gồm mấy bước?"
)
RATE_LIMITED = "Bạn đang hỏi hơi nhanh. Vui lòng đợi khoảng {seconds} giây rồi hỏi tiếp nhé."
ERROR = "Đã có lỗi xảy ra (mã lỗi: {error_id}). Vui lòng thử lại sau; nếu lỗi lặp lại, hãy báo mã lỗi này cho quản trị viên."

# -- buttons (alerts are plain text, at most 200 characters) ---------------------------------------------------
VOTE_THANKS = {True: "Cảm ơn bạn đã góp ý! 👍", False: "Cảm ơn bạn đã góp ý, chúng tôi sẽ cải thiện câu trả lời."}
VOTE_REFUSED = "Không ghi nhận góp ý này: nút không thuộc câu trả lời trong cuộc trò chuyện này."
PASSAGE_GONE = "Đoạn trích này không còn trong kho (tài liệu đã được cập nhật). Hãy hỏi lại."
PASSAGE_SHOWN = "Đoạn trích [{n}]"
REMOVAL_EXPIRED = "Yêu cầu đã hết hạn. Hãy gửi lại lệnh /remove."
BUTTON_CITE = "📄 [{n}]"
BUTTON_UP, BUTTON_DOWN = "👍", "👎"
BUTTON_PREV, BUTTON_NEXT = "◀", "▶"
BUTTON_REMOVE, BUTTON_CANCEL = "🗑 Xóa", "Hủy"

# -- answers and passages -------------------------------------------------------------------------------------
SOURCES = "Nguồn"
NOT_FOUND_HINT = (
    "💡 Gợi ý: hãy hỏi cụ thể hơn, nêu rõ đơn vị, địa phương hoặc số văn bản, và dùng từ ngữ như trong tài liệu. "
    "Ví dụ: “Quy trình nhân sự đại hội gồm mấy bước?”"
)
PASSAGE_HEAD = "📄 Trích dẫn [{n}]"
PASSAGE_HEAD_PLAIN = "📄 Trích dẫn"
NO_TITLE = "(không có tiêu đề)"
UNKNOWN = "không rõ"
LABEL_SOURCE = "Nguồn: "
LABEL_DATE = "Ngày: "
LABEL_TYPE = "Loại văn bản: "
LABEL_DOC_ID = "Mã tài liệu: "
LABEL_PATH = "Vị trí: "
LABEL_PAGE = "Trang: "
DOC_TYPES = {
    "directive": "Chỉ thị",
    "instruction": "Hướng dẫn",
    "plan": "Kế hoạch",
    "regulation": "Quy định",
    "resolution": "Nghị quyết",
    "decision": "Quyết định",
    "news": "Tin bài",
}

# -- help -----------------------------------------------------------------------------------------------------
EXAMPLE_QUESTIONS = (
    "Quy trình nhân sự đại hội gồm mấy bước?",
    "Đại hội điểm là gì?",
    "Lào Cai chuẩn bị đại hội thế nào?",
)
HELP = """<b>Trợ lý hỏi đáp về công tác đại hội Đảng</b>
Tôi trả lời câu hỏi bằng tiếng Việt dựa trên các văn bản hướng dẫn và bài viết đã được nạp vào kho tài liệu, \
kèm nguồn trích dẫn [1], [2]… Nếu tài liệu không nói đến, tôi sẽ nói là không tìm thấy thay vì suy đoán.

<b>Ví dụ câu hỏi</b>
{examples}

<b>Cách hỏi</b>
• Tin nhắn riêng: gõ câu hỏi bất kỳ.
• Trong nhóm: dùng /ask &lt;câu hỏi&gt;, nhắc tên {mention} hoặc trả lời (reply) tin nhắn của tôi.
• Trả lời (reply) một câu trả lời của tôi để hỏi tiếp, ví dụ: “còn ở Lạng Sơn thì sao?”
• Bấm 📄 [n] để xem nguyên văn đoạn trích, 👍 / 👎 để góp ý.

<b>Lệnh</b>
/ask – đặt câu hỏi
/help – hướng dẫn sử dụng"""
HELP_ADMIN = """

<b>Lệnh quản trị</b> (chỉ trong tin nhắn riêng)
• Gửi tệp PDF, DOCX, TXT, MD hoặc HTML để thêm vào kho tài liệu
/docs – danh sách tài liệu
/remove &lt;mã tài liệu&gt; – xóa một tài liệu
/reindex – lập lại toàn bộ chỉ mục
/stats – thống kê
/feedback – tải về các góp ý (CSV; /feedback jsonl cho JSONL)"""
PUBLIC_COMMANDS = {"ask": "Đặt câu hỏi về công tác đại hội", "help": "Hướng dẫn sử dụng", "start": "Giới thiệu bot"}
ADMIN_COMMANDS = {
    "docs": "Danh sách tài liệu",
    "remove": "Xóa một tài liệu: /remove MÃ_TÀI_LIỆU",
    "reindex": "Lập lại toàn bộ chỉ mục",
    "stats": "Thống kê sử dụng",
    "feedback": "Tải về các góp ý (CSV hoặc JSONL)",
}

# -- documents (admins) ---------------------------------------------------------------------------------------
DOCS_EMPTY = "Kho tài liệu đang trống. Gửi tệp PDF, DOCX, TXT, MD hoặc HTML để thêm tài liệu."
DOCS_HEAD = "<b>Tài liệu ({count})</b> · trang {page}/{pages}"
DOCS_ITEM = "{i}. <b>{title}</b>\n    {details} · <code>{doc_id}</code>"
DOCS_NO_DATE = "không rõ ngày"
DOCS_PASSAGES = "{n} đoạn"
DOCS_FOOTER = "Xóa tài liệu: /remove &lt;mã tài liệu&gt;"
REMOVE_USAGE = "Cú pháp: /remove &lt;mã tài liệu&gt;\nXem mã tài liệu bằng lệnh /docs."
REMOVE_UNKNOWN = "Không có tài liệu mã <code>{doc_id}</code>. Xem danh sách bằng lệnh /docs."
REMOVE_CONFIRM = "Xóa tài liệu <b>{title}</b> (<code>{doc_id}</code>) khỏi kho và khỏi chỉ mục?"
REMOVE_CANCELLED = "Đã hủy, không xóa tài liệu nào."
REMOVED = "✅ Đã xóa tài liệu <code>{doc_id}</code> khỏi kho và chỉ mục."
REMOVE_GONE = "Tài liệu <code>{doc_id}</code> không còn trong chỉ mục."
UNNAMED_FILE = "tai-lieu"  # an upload without a file name
UPLOAD_RECEIVING = "⏳ Đang nhận tệp <b>{name}</b>…"
UPLOAD_WAITING = "⏳ Đang chờ thao tác lập chỉ mục khác hoàn tất…"
UPLOAD_INDEXING = "⏳ Đang đọc và lập chỉ mục tệp <b>{name}</b>…"
UPLOAD_REFUSED = "❌ Không nhận tệp <b>{name}</b>: {reason}. Kho tài liệu không thay đổi."
UPLOAD_TOO_LARGE = (
    "❌ Tệp <b>{name}</b> quá lớn ({size:.1f} MB); giới hạn là {limit} MB. "
    "Hãy tách nhỏ hoặc nén tệp rồi gửi lại. Kho tài liệu không thay đổi."
)
UPLOAD_DOWNLOAD_FAILED = (
    "❌ Không tải được tệp <b>{name}</b> từ Telegram (có thể tệp lớn hơn {limit} MB). Kho tài liệu không thay đổi."
)
UPLOAD_FAILED = "❌ Đã có lỗi xảy ra (mã lỗi: {error_id}). Kho tài liệu không thay đổi."
UPLOAD_ADDED = "✅ Đã thêm tài liệu vào kho"
UPLOAD_CHANGE = {
    "replaces": "🔄 Văn bản này thay thế {label}",
    "amends": "🔄 Văn bản này sửa đổi, bổ sung {label}",
}
UPLOAD_CHANGE_COUNTS = "Các mục khác nhau: thêm {added}, bỏ {removed}, sửa {changed}."
# At most this many section lines are listed in the chat; the rest is counted.
UPLOAD_CHANGE_LINES = 12
UPLOAD_CHANGE_MORE = "… và {n} mục khác."
UPLOAD_TITLE = "Tiêu đề: "
UPLOAD_PASSAGES = "Số đoạn đã thêm: {n}"
UPLOAD_SECONDS = "Thời gian xử lý: {seconds:.1f} giây"
UPLOAD_NOT_ADDED = "❌ Không thêm được tệp "
UPLOAD_REASON = "Lý do: {reason}."
UPLOAD_UNCHANGED = "Kho tài liệu và chỉ mục không thay đổi."
UPLOAD_ALREADY = ("Tệp ", " đã có trong chỉ mục, không có gì thay đổi.")
DUPLICATE_OF = "{reason} (trùng nội dung với tệp {existing})"
REINDEX_BUSY = "⏳ Đang lập lại chỉ mục, vui lòng đợi lần này xong rồi thử lại."
REINDEX_START = "⏳ Bắt đầu lập lại chỉ mục…"
REINDEX_READING = "⏳ Đang đọc và chia đoạn tài liệu… ({seconds:.0f} giây)"
REINDEX_PROGRESS = "⏳ Đang lập lại chỉ mục… {done}/{total} đoạn ({pct}%), {seconds:.0f} giây"
REINDEX_FAILED = "❌ Lập chỉ mục thất bại (mã lỗi: {error_id}). Chỉ mục cũ vẫn đang được dùng để trả lời."
REINDEX_DONE = "✅ Đã lập lại chỉ mục"
REINDEX_DOCS = "Tài liệu: {n}"
REINDEX_PASSAGES = "Đoạn văn đã nhúng: {n}"
REINDEX_SECONDS = "Thời gian: {seconds:.1f} giây"
REINDEX_VERSION = "Phiên bản chỉ mục: "
REINDEX_SKIPPED = ("Bỏ qua ", ": {reason}")
FEEDBACK_NONE = "Chưa có góp ý nào."
FEEDBACK_CAPTION = "Góp ý: {n} dòng ({fmt})."
STATS = """<b>Thống kê</b>
Tài liệu: {documents}
Đoạn văn: {passages}
Phiên bản chỉ mục: <code>{version}</code>

Câu hỏi hôm nay: {today}
Tỷ lệ không tìm thấy câu trả lời (hôm nay): {today_not_found}
Thời gian trả lời trung vị (hôm nay): {median}
Tổng số câu hỏi: {total} (không tìm thấy: {total_not_found})
Góp ý: 👍 {up} · 👎 {down}"""
NONE = "–"
