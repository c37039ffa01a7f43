"""The knowledge quiz ("Thi tìm hiểu", /thi): rounds of random questions and a leaderboard.

A round is a row in the database; its buttons carry the round's token and the question's
number ("qz:<token>:<question>:<option>"), so a restart, a second web process or a button
tapped hours later all find the same round, and a button of a finished, expired or
replaced round, or a second answer to the same question, is recognised and changes nothing.
Results are stored, so playing needs consent. The leaderboard shows only residents who
chose to appear, as a first name and a hamlet, nothing else.
"""

from __future__ import annotations

import random
import unicodedata
from enum import StrEnum

from content.models import QuizQuestion
from db import quiz as queries
from db.models import QuizRound
from handlers.consent import ask_consent
from handlers.menu import show_menu
from handlers.paging import label
from handlers.router import Turn, router
from messages.types import Option

MENU_QUIZ = "Thi tìm hiểu"
INTRO = ("🏆 Thi tìm hiểu về Đại hội Đảng bộ các cấp và Đại hội XIV của Đảng.\n\n"
         "Mỗi lượt có {size} câu hỏi trắc nghiệm, mỗi câu 4 phương án. Sau mỗi câu, Loa Số "
         "cho biết đáp án, giải thích ngắn và nguồn để bạn đọc thêm. Bạn chơi bao nhiêu lượt "
         "cũng được.")
START = "Bắt đầu lượt thi"
CONTINUE = "Tiếp tục lượt đang dở (câu {number}/{total})"
AGAIN = "Chơi lượt mới"
BOARD = "Bảng xếp hạng"
JOIN = "Hiện tên trên bảng xếp hạng"
LEAVE = "Rút tên khỏi bảng xếp hạng"
MENU = "Menu"
CANCEL = "Hủy"
NO_QUESTIONS = "Bộ câu hỏi thi tìm hiểu đang được chuẩn bị. Mời bạn quay lại sau."
NEEDS_CONSENT = ("Kết quả thi được lưu lại để bạn xem lại (và để xếp hạng, nếu bạn muốn), "
                 "nên Loa Số cần bạn đồng ý trước khi bắt đầu.")
CONSENT_REFUSED = ("Không có sự đồng ý thì Loa Số không thể lưu kết quả thi. Bạn vẫn đọc được "
                   "mọi tin bằng /tin.")
QUESTION = "Câu {number}/{total}\n\n{question}"
RIGHT = "✅ Chính xác!"
WRONG = "❌ Chưa đúng. Đáp án đúng là phương án {number}: {answer}."
EXPLANATION = "{verdict}\n\n{explanation}\n\nNguồn: {source}"
FINISHED = "🏁 Hết lượt thi! Bạn trả lời đúng {score}/{total} câu."
ALREADY_FINISHED = ("Lượt thi này đã kết thúc (bạn đúng {score}/{total} câu), nên lựa chọn "
                    "này không được tính. Mời bạn chơi lượt mới.")
EXPIRED = ("Lượt thi này đã quá {hours} giờ không có câu trả lời nên đã hết hạn; lựa chọn này "
           "không được tính. Mời bạn chơi lượt mới.")
REPLACED = ("Lựa chọn này thuộc một lượt thi cũ (bạn đã bắt đầu lượt mới), nên không được "
            "tính.")
ANSWERED = ("Bạn đã trả lời câu {number} rồi: mỗi câu chỉ tính lần trả lời đầu tiên. "
            "Mời bạn trả lời câu đang hỏi.")
NOT_YOURS = "Lựa chọn này không thuộc lượt thi nào đang chơi của bạn, nên không được tính."
NOTHING_TO_CONTINUE = ("Không còn lượt thi nào đang dở: lượt trước đã xong hoặc đã quá {hours} "
                       "giờ không có câu trả lời.")
QUESTION_GONE = ("Câu hỏi này vừa được gỡ khỏi bộ câu hỏi nên không tính điểm; mời bạn "
                 "sang câu tiếp theo.")
BOARD_HEAD = ("🏆 Bảng xếp hạng thi tìm hiểu: kết quả cao nhất của mỗi người, chỉ gồm những "
              "ai đã chọn hiện tên.")
BOARD_LINE = "{rank}. {who} — đúng {score}/{total} câu"
BOARD_EMPTY = ("Bảng xếp hạng chưa có ai. Hãy thi một lượt và chọn «Hiện tên trên bảng "
               "xếp hạng».")
ON_BOARD = "Bạn đang hiện trên bảng xếp hạng là: {who}."
ASK_NAME = ("Bảng xếp hạng chỉ hiện tên gọi và thôn của bạn, ngoài ra không hiện gì khác. "
            "Bạn muốn hiện tên gì? Chỉ gõ tên gọi, không cần họ (ví dụ: Lan).")
BAD_NAME = ("Tên gọi chỉ gồm chữ cái, tối đa {words} chữ và {limit} ký tự (ví dụ: Lan, Ngọc "
            "Anh); không ghi số điện thoại hay địa chỉ. Mời bạn gõ lại.")
ASK_HAMLET = "Bạn ở thôn nào? Bảng xếp hạng hiện tên thôn bên cạnh tên gọi."
NO_HAMLET = "Không nêu thôn"
JOINED = ("Đã ghi. Bạn hiện trên bảng xếp hạng là: {who}. Muốn thôi, chọn «Rút tên khỏi "
          "bảng xếp hạng» trong mục Thi tìm hiểu.")
LEFT = ("Đã rút tên bạn khỏi bảng xếp hạng. Kết quả thi vẫn được giữ để bạn xem lại "
        "(/dulieu); muốn xóa hẳn, gõ /xoadulieu.")
NOT_ON_BOARD = "Bạn chưa có tên trên bảng xếp hạng, nên không có gì phải rút."
CANCELLED = "Đã hủy, không có gì thay đổi."

DEFAULT_ROUND_SIZE = 10
NAME_WORDS = 3
NAME_LENGTH = 30  # a first name; the column holds 40
BOARD_SIZE = 10


class QuizState(StrEnum):
    NAME = "quiz.name"


def round_size(turn: Turn) -> int:
    """The configured size, never more than the bank holds."""
    size = getattr(turn.settings, "quiz_round_size", None) or DEFAULT_ROUND_SIZE
    return min(size, len(turn.content.pack.quiz))


def ttl_hours() -> int:
    return int(queries.ROUND_TTL.total_seconds() // 3600)


def bank(turn: Turn) -> dict[str, QuizQuestion]:
    return {question.id: question for question in turn.content.pack.quiz}


def hamlet_name(turn: Turn, hamlet_id: str | None) -> str | None:
    return next((hamlet.name for hamlet in turn.content.pack.campaign.hamlets
                 if hamlet.id == hamlet_id), None)


def board_label(turn: Turn, name: str, hamlet_id: str | None) -> str:
    hamlet = hamlet_name(turn, hamlet_id)
    return f"{name} ({hamlet})" if hamlet else name


# -- the quiz's home --------------------------------------------------------------------------

@router.command("thi")
async def quiz_command(turn: Turn) -> None:
    await home(turn)


@router.button("quiz")
async def quiz_button(turn: Turn) -> None:
    """Dispatch quiz:<step>[:<arg>]."""
    step, _, arg = turn.value.partition(":")
    if step == "h":  # needs the name typed just before, kept in the state
        await chose_hamlet(turn, arg)
        return
    steps = {"home": home, "new": new_round, "go": continue_round, "board": show_board,
             "join": join, "leave": leave, "cancel": cancel}
    step_function = steps.get(step)
    if step_function is None:
        await router.on_stale_button(turn)
        return
    turn.goto(None)  # a quiz button leaves whatever was being typed
    await step_function(turn)


async def home(turn: Turn) -> None:
    if not turn.content.pack.quiz:
        show_menu(turn, NO_QUESTIONS)
        return
    options = []
    live = await queries.live_round(turn.session, turn.user.id, turn.now)
    if live is not None:
        options.append(Option(CONTINUE.format(number=len(live.answers) + 1,
                                              total=len(live.questions)), "quiz:go"))
    options += [Option(START, "quiz:new"), Option(BOARD, "quiz:board"),
                board_option(turn), Option(MENU, "menu:show")]
    turn.say(INTRO.format(size=round_size(turn)), options)


def board_option(turn: Turn) -> Option:
    return Option(LEAVE, "quiz:leave") if turn.user.leaderboard_name else Option(JOIN, "quiz:join")


def after_round_options(turn: Turn) -> list[Option]:
    return [Option(AGAIN, "quiz:new"), Option(BOARD, "quiz:board"), board_option(turn),
            Option(MENU, "menu:show")]


# -- playing ----------------------------------------------------------------------------------

async def new_round(turn: Turn) -> None:
    if not turn.content.pack.quiz:
        show_menu(turn, NO_QUESTIONS)
        return
    if not turn.has_consent:
        turn.say(NEEDS_CONSENT)
        ask_consent(turn, resume="quiz:new", refused=CONSENT_REFUSED)
        return
    chosen = random.sample(turn.content.pack.quiz, round_size(turn))
    round_ = await queries.start_round(turn.session, user_id=turn.user.id,
                                       questions=[question.id for question in chosen],
                                       now=turn.now)
    ask_next(turn, round_)


async def continue_round(turn: Turn) -> None:
    round_ = await queries.live_round(turn.session, turn.user.id, turn.now)
    if round_ is None:
        turn.say(NOTHING_TO_CONTINUE.format(hours=ttl_hours()))
        await home(turn)
        return
    ask_next(turn, round_)


def ask_next(turn: Turn, round_: QuizRound) -> None:
    """Show the next unanswered question, or the score once none is left.

    A question a content reload removed cannot be asked: it is passed over unscored (0).
    """
    questions = bank(turn)
    while len(round_.answers) < len(round_.questions):
        number = len(round_.answers)
        question = questions.get(round_.questions[number])
        if question is not None:
            options = [Option(option, f"qz:{round_.token}:{number}:{position}")
                       for position, option in enumerate(question.options, start=1)]
            turn.say(QUESTION.format(number=number + 1, total=len(round_.questions),
                                     question=question.question), options)
            return
        round_.answers = [*round_.answers, 0]
        round_.updated_at = turn.now
    round_.finished_at = turn.now
    turn.say(FINISHED.format(score=round_.score, total=len(round_.questions)),
             after_round_options(turn))


@router.button("qz")
async def answer(turn: Turn) -> None:
    """Score the first answer to the question asked; anything else changes nothing."""
    turn.goto(None)
    parts = turn.value.split(":")
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in ("1", "2", "3", "4"):
        await router.on_stale_button(turn)
        return
    token, number, choice = parts[0], int(parts[1]), int(parts[2])
    round_ = await queries.round_by_token(turn.session, token, for_update=True)
    if round_ is None or round_.user_id != turn.user.id:
        turn.say(NOT_YOURS)
        await home(turn)
        return
    total = len(round_.questions)
    if round_.finished_at is not None:
        turn.say(ALREADY_FINISHED.format(score=round_.score, total=total),
                 after_round_options(turn))
        return
    latest = await queries.latest_round(turn.session, turn.user.id)
    if latest is not None and latest.id != round_.id:
        turn.say(REPLACED)
        await home(turn)
        return
    if queries.is_expired(round_, turn.now):
        turn.say(EXPIRED.format(hours=ttl_hours()), after_round_options(turn))
        return
    if number < len(round_.answers):
        turn.say(ANSWERED.format(number=number + 1))
        ask_next(turn, round_)
        return
    if number > len(round_.answers):  # not asked yet: no button for it was ever shown
        await router.on_stale_button(turn)
        return
    if not turn.has_consent:  # withdrawn mid-round: store nothing more until given again
        turn.say(NEEDS_CONSENT)
        ask_consent(turn, resume=f"qz:{turn.value}", refused=CONSENT_REFUSED)
        return
    question = bank(turn).get(round_.questions[number])
    round_.answers = [*round_.answers, choice]
    round_.updated_at = turn.now
    if question is None:
        turn.say(QUESTION_GONE)
    else:
        right = choice == question.answer
        round_.score += int(right)
        turn.say(explain(question, right))
    ask_next(turn, round_)


def explain(question: QuizQuestion, right: bool) -> str:
    verdict = RIGHT if right else WRONG.format(
        number=question.answer, answer=question.options[question.answer - 1])
    source = question.source.title + (f" — {question.source.url}" if question.source.url else "")
    return EXPLANATION.format(verdict=verdict, explanation=question.explanation, source=source)


# -- the leaderboard --------------------------------------------------------------------------

async def show_board(turn: Turn) -> None:
    entries = await queries.leaderboard(turn.session, BOARD_SIZE)
    if entries:
        lines = [BOARD_HEAD, ""] + [
            BOARD_LINE.format(rank=rank, who=board_label(turn, entry.name, entry.hamlet_id),
                              score=entry.score, total=entry.out_of)
            for rank, entry in enumerate(entries, start=1)]
    else:
        lines = [BOARD_EMPTY]
    if turn.user.leaderboard_name:
        lines += ["", ON_BOARD.format(who=board_label(turn, turn.user.leaderboard_name,
                                                      turn.user.hamlet_id))]
    turn.say("\n".join(lines), [Option(START, "quiz:new"), board_option(turn),
                                Option(MENU, "menu:show")])


async def join(turn: Turn) -> None:
    if not turn.has_consent:  # the name is kept, so the same consent as playing
        ask_consent(turn, resume="quiz:join", refused=CONSENT_REFUSED)
        return
    turn.say(ASK_NAME, [Option(CANCEL, "quiz:cancel")])
    turn.goto(QuizState.NAME)


def first_name(text: str) -> str | None:
    """The typed name tidied, or None if it is not a short name made of letters."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    words = name.split(" ")
    if not name or len(name) > NAME_LENGTH or len(words) > NAME_WORDS:
        return None
    if not all(char.isalpha() or char in "-'" for word in words for char in word):
        return None
    return " ".join(word[:1].upper() + word[1:] for word in words)


@router.state(QuizState.NAME)
async def typed_name(turn: Turn) -> None:
    name = first_name(turn.inbound.text)
    if name is None:
        turn.say(BAD_NAME.format(words=NAME_WORDS, limit=NAME_LENGTH),
                 [Option(CANCEL, "quiz:cancel")])
        return
    hamlets = turn.content.pack.campaign.hamlets
    if turn.user.hamlet_id is not None or not hamlets:
        save_name(turn, name)
        return
    options = [Option(label(hamlet.name), f"quiz:h:{hamlet.id}") for hamlet in hamlets]
    turn.say(ASK_HAMLET, options + [Option(NO_HAMLET, "quiz:h:-"), Option(CANCEL, "quiz:cancel")])
    turn.goto(None, name=name)


async def chose_hamlet(turn: Turn, hamlet_id: str) -> None:
    """The hamlet for a name typed just before; "-" keeps the hamlet off the board."""
    name = turn.data.get("name")
    known = {hamlet.id for hamlet in turn.content.pack.campaign.hamlets}
    if not name or (hamlet_id != "-" and hamlet_id not in known):
        await router.on_stale_button(turn)
        return
    if hamlet_id != "-":
        turn.user.hamlet_id = hamlet_id  # the same hamlet /dangky asks for: one place for it
    save_name(turn, name)


def save_name(turn: Turn, name: str) -> None:
    turn.user.leaderboard_name = name
    turn.say(JOINED.format(who=board_label(turn, name, turn.user.hamlet_id)),
             [Option(BOARD, "quiz:board"), Option(START, "quiz:new"), Option(MENU, "menu:show")])
    turn.goto(None)


async def leave(turn: Turn) -> None:
    if not turn.user.leaderboard_name:
        turn.say(NOT_ON_BOARD, [Option(BOARD, "quiz:board"), Option(MENU, "menu:show")])
        return
    turn.user.leaderboard_name = None
    turn.say(LEFT, [Option(BOARD, "quiz:board"), Option(START, "quiz:new"),
                    Option(MENU, "menu:show")])


async def cancel(turn: Turn) -> None:
    show_menu(turn, CANCELLED)


router.menu_item(MENU_QUIZ, "quiz:home", order=50)
