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
from content.text import fold
from db import quiz as queries
from db.models import QuizRound
from handlers import texts
from handlers.consent import ask_consent, consent_to_write
from handlers.flow_data import FlowData
from handlers.menu import show_menu, stale
from handlers.paging import label
from handlers.router import Router, Step, Turn
from messages.types import Option, is_number

NOT_NAMES = frozenset(fold(word) for word in texts.NOT_NAMES)

DEFAULT_ROUND_SIZE = 10
NAME_WORDS = 3
NAME_LENGTH = 30  # a first name; the column holds 40
BOARD_SIZE = 10


class QuizState(StrEnum):
    NAME = "quiz.name"
    QUESTION = "quiz.question"  # a question on screen: typed "b" or "đáp án B" answers it


LETTERS = "abcd"


class BoardName(FlowData):
    """The name just typed for the leaderboard, while the hamlet is being chosen."""

    flow = "quiz"
    name: str


def round_size(turn: Turn) -> int:
    """The configured size, never more than the bank holds."""
    size = getattr(turn.settings, "quiz_round_size", None) or DEFAULT_ROUND_SIZE
    return min(size, len(turn.view.quiz))


def ttl_hours() -> int:
    return int(queries.ROUND_TTL.total_seconds() // 3600)


def bank(turn: Turn) -> dict[str, QuizQuestion]:
    return {question.id: question for question in turn.view.quiz}


def hamlet_name(turn: Turn, hamlet_id: str | None) -> str | None:
    return next((hamlet.name for hamlet in turn.content.pack.campaign.hamlets
                 if hamlet.id == hamlet_id), None)


def board_label(turn: Turn, name: str, hamlet_id: str | None) -> str:
    hamlet = hamlet_name(turn, hamlet_id)
    return f"{name} ({hamlet})" if hamlet else name


# -- the quiz's home --------------------------------------------------------------------------

def leaving_typing(step: Step) -> Step:
    """A quiz button leaves whatever was being typed (a name for the leaderboard)."""
    async def left(turn: Turn) -> None:
        turn.goto(None)
        await step(turn)
    return left


async def home(turn: Turn) -> None:
    if not turn.view.quiz:
        show_menu(turn, texts.QUIZ_NO_QUESTIONS)
        return
    options = []
    live = await queries.live_round(turn.session, turn.user.id, turn.now)
    if live is not None:
        options.append(Option(texts.QUIZ_CONTINUE.format(number=len(live.answers) + 1,
                                                         total=len(live.questions)), "quiz:go"))
    options += [Option(texts.QUIZ_START, "quiz:new"), Option(texts.QUIZ_BOARD, "quiz:board"),
                board_option(turn), Option(texts.MENU, "menu:show")]
    turn.say(texts.QUIZ_INTRO.format(size=round_size(turn)), options)


def board_option(turn: Turn) -> Option:
    if turn.user.leaderboard_name:
        return Option(texts.QUIZ_LEAVE, "quiz:leave")
    return Option(texts.QUIZ_JOIN, "quiz:join")


def after_round_options(turn: Turn) -> list[Option]:
    return [Option(texts.QUIZ_AGAIN, "quiz:new"), Option(texts.QUIZ_BOARD, "quiz:board"),
            board_option(turn), Option(texts.MENU, "menu:show")]


# -- playing ----------------------------------------------------------------------------------

async def new_round(turn: Turn) -> None:
    if not turn.view.quiz:
        show_menu(turn, texts.QUIZ_NO_QUESTIONS)
        return
    if not turn.has_consent:
        turn.say(texts.QUIZ_NEEDS_CONSENT)
        ask_consent(turn, resume="quiz:new", refused=texts.QUIZ_CONSENT_REFUSED)
        return
    chosen = random.sample(turn.view.quiz, round_size(turn))
    round_ = await queries.start_round(turn.session, user_id=turn.user.id,
                                       questions=[question.id for question in chosen],
                                       now=turn.now)
    ask_next(turn, round_)


async def continue_round(turn: Turn) -> None:
    round_ = await queries.live_round(turn.session, turn.user.id, turn.now)
    if round_ is None:
        turn.say(texts.QUIZ_NOTHING_TO_CONTINUE.format(hours=ttl_hours()))
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
            turn.say(texts.QUIZ_QUESTION.format(number=number + 1, total=len(round_.questions),
                                                question=question.question),
                     options + [Option(texts.MENU, "menu:show")])
            turn.goto(QuizState.QUESTION)
            return
        round_.answers = [*round_.answers, 0]
        round_.updated_at = turn.now
    round_.finished_at = turn.now
    turn.goto(None)
    turn.say(texts.QUIZ_FINISHED.format(score=round_.score, total=len(round_.questions)),
             after_round_options(turn))


def typed_letter(text: str) -> int | None:
    """ "b", "B.", "đáp án B", "câu b", "chọn b" → 2; None for anything else."""
    folded = fold(text).strip(" .!)")
    for lead in ("dap an ", "chon ", "cau "):
        folded = folded.removeprefix(lead)
    return LETTERS.index(folded) + 1 if len(folded) == 1 and folded in LETTERS else None


async def typed_answer(turn: Turn) -> None:
    """Text while a question is on screen (numbers and the options' own words are chosen by
    the router): a letter answers; anything else leaves the question, read as any text."""
    letter = typed_letter(turn.inbound.text)
    answers = [option for option in turn.shown_options() if option.payload.startswith("qz:")]
    if letter is not None and letter <= len(answers):
        await turn.press(answers[letter - 1].payload)
        return
    turn.goto(None)
    await turn.read_as_text()


async def answer(turn: Turn) -> None:
    """qz:<round>:<question>:<option>: score the first answer to the question asked;
    anything else changes nothing."""
    turn.goto(None)
    parts = turn.value.split(":")
    if len(parts) != 3 or not is_number(parts[1]) or parts[2] not in ("1", "2", "3", "4"):
        stale(turn)
        return
    token, number, choice = parts[0], int(parts[1]), int(parts[2])
    round_ = await queries.round_by_token(turn.session, token, for_update=True)
    if round_ is None or round_.user_id != turn.user.id:
        turn.say(texts.QUIZ_NOT_YOURS)
        await home(turn)
        return
    total = len(round_.questions)
    if round_.finished_at is not None:
        turn.say(texts.QUIZ_ALREADY_FINISHED.format(score=round_.score, total=total),
                 after_round_options(turn))
        return
    latest = await queries.latest_round(turn.session, turn.user.id)
    if latest is not None and latest.id != round_.id:
        turn.say(texts.QUIZ_REPLACED)
        await home(turn)
        return
    if queries.is_expired(round_, turn.now):
        turn.say(texts.QUIZ_EXPIRED.format(hours=ttl_hours()), after_round_options(turn))
        return
    if number < len(round_.answers):
        turn.say(texts.QUIZ_ANSWERED.format(number=number + 1))
        ask_next(turn, round_)
        return
    if number > len(round_.answers):  # not asked yet: no button for it was ever shown
        stale(turn)
        return
    if not turn.has_consent:  # withdrawn mid-round: store nothing more until given again
        turn.say(texts.QUIZ_NEEDS_CONSENT)
        ask_consent(turn, resume=f"qz:{turn.value}", refused=texts.QUIZ_CONSENT_REFUSED)
        return
    question = bank(turn).get(round_.questions[number])
    round_.answers = [*round_.answers, choice]
    round_.updated_at = turn.now
    if question is None:
        turn.say(texts.QUIZ_QUESTION_GONE)
    else:
        right = choice == question.answer
        round_.score += int(right)
        turn.say(explain(question, right))
    ask_next(turn, round_)


def explain(question: QuizQuestion, right: bool) -> str:
    verdict = texts.QUIZ_RIGHT if right else texts.QUIZ_WRONG.format(
        number=question.answer, answer=question.options[question.answer - 1])
    source = question.source.title + (f" — {question.source.url}" if question.source.url else "")
    return texts.QUIZ_EXPLANATION.format(verdict=verdict, explanation=question.explanation,
                                         source=source)


# -- the leaderboard --------------------------------------------------------------------------

async def show_board(turn: Turn) -> None:
    entries = await queries.leaderboard(turn.session, BOARD_SIZE)
    if entries:
        lines = [texts.QUIZ_BOARD_HEAD, ""] + [
            texts.QUIZ_BOARD_LINE.format(
                rank=rank, who=board_label(turn, entry.name, entry.hamlet_id),
                score=entry.score, total=entry.out_of)
            for rank, entry in enumerate(entries, start=1)]
    else:
        lines = [texts.QUIZ_BOARD_EMPTY]
    if turn.user.leaderboard_name:
        lines += ["", texts.QUIZ_ON_BOARD.format(
            who=board_label(turn, turn.user.leaderboard_name, turn.user.hamlet_id))]
    turn.say("\n".join(lines), [Option(texts.QUIZ_START, "quiz:new"), board_option(turn),
                                Option(texts.MENU, "menu:show")])


async def join(turn: Turn) -> None:
    if not turn.has_consent:  # the name is kept, so the same consent as playing
        ask_consent(turn, resume="quiz:join", refused=texts.QUIZ_CONSENT_REFUSED)
        return
    turn.say(texts.QUIZ_ASK_NAME, [Option(texts.QUIZ_CANCEL, "quiz:cancel")])
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


async def typed_name(turn: Turn) -> None:
    """The leaderboard name, typed in quiz.name; then the hamlet, if not known yet."""
    typed = " ".join(turn.inbound.text.split())
    if typed.startswith("/") or fold(typed).strip(" !.") in NOT_NAMES:
        # public once saved: a greeting or a command typed by mistake is asked about again
        turn.say(texts.QUIZ_NAME_NOT_A_NAME.format(text=typed[:40]),
                 [Option(texts.QUIZ_CANCEL, "quiz:cancel")])
        return
    name = first_name(turn.inbound.text)
    if name is None:
        turn.say(texts.QUIZ_BAD_NAME.format(words=NAME_WORDS, limit=NAME_LENGTH),
                 [Option(texts.QUIZ_CANCEL, "quiz:cancel")])
        return
    hamlets = turn.content.pack.campaign.hamlets
    if turn.user.hamlet_id is not None or not hamlets:
        save_name(turn, name)
        return
    options = [Option(label(hamlet.name), f"quiz:h:{hamlet.id}") for hamlet in hamlets]
    turn.say(texts.QUIZ_ASK_HAMLET, options + [Option(texts.QUIZ_NO_HAMLET, "quiz:h:-"),
                                               Option(texts.QUIZ_CANCEL, "quiz:cancel"),
                                               Option(texts.MENU, "menu:show")])
    turn.goto(None, BoardName(name=name))


async def chose_hamlet(turn: Turn) -> None:
    """quiz:h:<hamlet>: the hamlet for a name typed just before; "-" keeps it off the board."""
    hamlet_id = turn.value
    typed = BoardName.load(turn.data)
    known = {hamlet.id for hamlet in turn.content.pack.campaign.hamlets}
    if not typed or not typed.name or (hamlet_id != "-" and hamlet_id not in known):
        stale(turn)
        return
    if not consent_to_write(turn, resume="quiz:join", refused=texts.QUIZ_CONSENT_REFUSED):
        return
    if hamlet_id != "-":
        turn.user.hamlet_id = hamlet_id  # the same hamlet /dangky asks for: one place for it
    save_name(turn, typed.name)


def save_name(turn: Turn, name: str) -> None:
    if not consent_to_write(turn, resume="quiz:join", refused=texts.QUIZ_CONSENT_REFUSED):
        return
    turn.user.leaderboard_name = name
    turn.say(texts.QUIZ_JOINED.format(who=board_label(turn, name, turn.user.hamlet_id)),
             [Option(texts.QUIZ_BOARD, "quiz:board"), Option(texts.QUIZ_START, "quiz:new"),
              Option(texts.MENU, "menu:show")])
    turn.goto(None)


async def leave(turn: Turn) -> None:
    if not turn.user.leaderboard_name:
        turn.say(texts.QUIZ_NOT_ON_BOARD, [Option(texts.QUIZ_BOARD, "quiz:board"),
                                           Option(texts.MENU, "menu:show")])
        return
    turn.user.leaderboard_name = None
    turn.say(texts.QUIZ_LEFT, [Option(texts.QUIZ_BOARD, "quiz:board"),
                               Option(texts.QUIZ_START, "quiz:new"),
                               Option(texts.MENU, "menu:show")])


async def cancel(turn: Turn) -> None:
    show_menu(turn, texts.QUIZ_CANCELLED)


def register(router: Router) -> None:
    router.command("thi", step=home)
    router.steps("quiz", {"h": chose_hamlet})  # needs the name typed just before, kept
    router.steps("quiz", {name: leaving_typing(step) for name, step in {
        "home": home, "new": new_round, "go": continue_round, "board": show_board,
        "join": join, "leave": leave, "cancel": cancel}.items()})
    router.button("qz", answer)
    router.state(QuizState.NAME, step=typed_name)
    router.state(QuizState.QUESTION, step=typed_answer, choosing=True)
    router.menu_item(texts.MENU_QUIZ, "quiz:home", order=50)
