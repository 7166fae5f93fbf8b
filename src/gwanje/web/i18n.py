"""Every string of the web app in English and Korean, and which language a request gets.

The choice, strongest first: ``?lang=ko|en`` (then remembered in a cookie), the cookie, the browser's
``Accept-Language``, English. Each message is a pair (English, Korean), so none can lack a language.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from gwanje.api.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from gwanje.web.i18n_admin import ADMIN_MESSAGES
from gwanje.web.i18n_cluster import CLUSTER_MESSAGES
from gwanje.web.i18n_controls import CONTROL_MESSAGES
from gwanje.web.i18n_rules import RULE_MESSAGES

LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "gwanje_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    "app.title": ("Gwanje control centre", "관제 센터"),
    "nav.live": ("Live", "실시간 영상"),
    "nav.events": ("Alerts", "알림"),
    "nav.users": ("Users", "사용자"),
    "nav.cameras": ("Cameras", "카메라"),
    "nav.password": ("Password", "비밀번호"),
    "nav.logout": ("Log out", "로그아웃"),
    "nav.language": ("Language", "언어"),
    "nav.signed_in_as": ("Signed in as", "로그인 사용자"),
    "login.title": ("Log in", "로그인"),
    "login.username": ("User name", "사용자 이름"),
    "login.password": ("Password", "비밀번호"),
    "login.submit": ("Log in", "로그인"),
    "login.wrong": ("Wrong user name or password.", "사용자 이름 또는 비밀번호가 올바르지 않습니다."),
    "login.locked": (
        "Too many wrong passwords: this account is locked for {minutes} more minute(s).",
        "비밀번호를 여러 번 잘못 입력하여 이 계정이 {minutes}분 동안 잠겼습니다.",
    ),
    "login.rate_limited": (
        "Too many login attempts from this address: wait {seconds} s.",
        "이 주소에서 로그인 시도가 너무 많습니다. {seconds}초 후에 다시 시도하세요.",
    ),
    "login.created": ("The administrator was created: log in.", "관리자가 생성되었습니다. 로그인하세요."),
    "login.expired": ("The form expired: try again.", "양식이 만료되었습니다. 다시 시도하세요."),
    "setup.title": ("Create the first administrator", "첫 관리자 만들기"),
    "setup.explain": (
        "There is no user yet. Enter the setup code from the file {path} on the server, "
        "then choose the administrator's name and password. There is no default password.",
        "아직 사용자가 없습니다. 서버의 {path} 파일에 있는 설정 코드를 입력하고 "
        "관리자의 이름과 비밀번호를 정하세요. 기본 비밀번호는 없습니다.",
    ),
    "setup.code": ("Setup code", "설정 코드"),
    "setup.wrong_code": ("Wrong setup code.", "설정 코드가 올바르지 않습니다."),
    "setup.submit": ("Create administrator", "관리자 만들기"),
    "password.title": ("Change password", "비밀번호 변경"),
    "password.current": ("Current password", "현재 비밀번호"),
    "password.new": ("New password", "새 비밀번호"),
    "password.confirm": ("New password again", "새 비밀번호 확인"),
    "password.submit": ("Change password", "비밀번호 변경"),
    "password.mismatch": ("The two new passwords differ.", "새 비밀번호가 서로 다릅니다."),
    "password.wrong": ("The current password is wrong.", "현재 비밀번호가 올바르지 않습니다."),
    "password.changed": (
        "Password changed; your other sessions were logged out.",
        "비밀번호가 변경되었습니다. 다른 세션은 로그아웃되었습니다.",
    ),
    "password.weak": (
        f"The password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters and must not be the user name.",
        f"비밀번호는 {MIN_PASSWORD_LENGTH}~{MAX_PASSWORD_LENGTH}자이어야 하며 사용자 이름과 같으면 안 됩니다.",
    ),
    "events.title": ("Alerts", "알림"),
    "events.live": ("Live: new alerts appear here within a second.", "실시간: 새 알림이 1초 안에 표시됩니다."),
    "events.none": ("No alerts yet.", "아직 알림이 없습니다."),
    "events.type": ("Type", "유형"),
    "events.camera": ("Camera", "카메라"),
    "events.time": ("Time", "시간"),
    "events.confidence": ("Confidence", "신뢰도"),
    "events.status": ("Status", "상태"),
    "events.snapshot": ("Snapshot", "스냅샷"),
    "events.open": ("Open", "열기"),
    "feed.all": ("All", "전체"),
    "feed.since": ("From", "시작"),
    "feed.until": ("Until", "종료"),
    "feed.min_conf": ("Confidence at least (%)", "최소 신뢰도 (%)"),
    "feed.apply": ("Filter", "필터 적용"),
    "feed.clear": ("Clear filters", "필터 지우기"),
    "feed.total": ("{count} alert(s)", "알림 {count}건"),
    "feed.bad_filter": (
        "Some filter values were not understood and were ignored.",
        "일부 필터 값을 이해하지 못해 무시했습니다.",
    ),
    "event.title": ("Alert", "알림"),
    "event.clip": ("Clip", "영상"),
    "event.no_snapshot": ("No snapshot kept.", "저장된 스냅샷이 없습니다."),
    "event.no_clip": ("No clip kept.", "저장된 영상이 없습니다."),
    "event.zone": ("Zone", "구역"),
    "event.severity": ("Severity", "심각도"),
    "event.ended": ("Ended", "종료"),
    "event.ongoing": ("Ongoing", "진행 중"),
    "event.history": ("Actions", "처리 기록"),
    "event.note": ("Note (optional)", "메모 (선택)"),
    "event.acknowledge": ("Acknowledge", "확인"),
    "event.resolve": ("Resolve", "해결"),
    "event.false_alarm": ("False alarm", "오탐"),
    "event.failed": ("The action failed: {detail}", "처리하지 못했습니다: {detail}"),
    "event.not_found": ("No such alert.", "해당 알림이 없습니다."),
    "event.masked": ("People are masked for privacy.", "개인정보 보호를 위해 사람을 가렸습니다."),
    "event.unmasked": ("Unmasked (recorded in the audit log).", "가림 해제됨 (감사 로그에 기록됨)."),
    "event.unmask": ("Unmask", "가림 해제"),
    "event.unmask_reason": ("Reason for unmasking", "가림 해제 사유"),
    "live.title": ("Live wall", "실시간 영상 월"),
    "live.layout": ("Tiles per page", "화면 분할"),
    "live.none": ("No cameras.", "카메라가 없습니다."),
    "live.open": ("{count} new alert(s)", "새 알림 {count}건"),
    "live.no_camera": ("No such camera.", "해당 카메라가 없습니다."),
    "live.no_frame": ("No picture yet", "아직 영상이 없습니다"),
    "live.recent": ("Recent alerts of this camera", "이 카메라의 최근 알림"),
    "live.back": ("Back to the live wall", "실시간 영상 월로 돌아가기"),
    "live.masked": (
        "People are masked for privacy; watching live is recorded in the audit log.",
        "개인정보 보호를 위해 사람을 가렸습니다. 실시간 영상 시청은 감사 로그에 기록됩니다.",
    ),
    "health.live": ("Live", "정상"),
    "health.connecting": ("Reconnecting", "재연결 중"),
    "health.stalled": ("Stalled", "멈춤"),
    "health.offline": ("Offline", "오프라인"),
    "health.disabled": ("Disabled", "사용 안 함"),
    "page.label": ("Pages", "페이지"),
    "page.of": ("Page {page} of {pages}", "{pages}쪽 중 {page}쪽"),
    "page.previous": ("Previous", "이전"),
    "page.next": ("Next", "다음"),
    "cameras.title": ("Cameras", "카메라 관리"),
    "cameras.intro": (
        "Changes here apply at once to that camera only (the others keep running) and survive a restart.",
        "여기서 바꾼 내용은 해당 카메라에만 즉시 적용되고 (다른 카메라는 계속 동작) 재시작 후에도 유지됩니다.",
    ),
    "cameras.add": ("Add camera", "카메라 추가"),
    "cameras.edit": ("Edit", "편집"),
    "cameras.edit_title": ("Camera {camera}", "카메라 {camera}"),
    "cameras.enabled": ("Enabled", "사용"),
    "cameras.transport": ("RTSP transport", "RTSP 전송 방식"),
    "cameras.loop": ("Files: start again at the end", "파일: 끝나면 처음부터 다시"),
    "cameras.fps": ("Frames analysed per second", "초당 분석 프레임"),
    "cameras.detectors": ("Detectors", "검출기"),
    "cameras.sensitivity": (
        "Sensitivity (1 = as trained; higher finds more)",
        "민감도 (1 = 기본, 높을수록 더 많이 검출)",
    ),
    "cameras.rules_json": (
        "Rules as JSON, as in the configuration file (to add or remove a rule: once changed here, this is saved "
        "instead of the rules' fields above)",
        "규칙 JSON, 설정 파일과 같은 형식 (규칙을 추가하거나 지우려면 여기서 고치세요: 고치면 위의 규칙 항목 대신 "
        "이것이 저장됩니다)",
    ),
    "cameras.save": ("Save", "저장"),
    "cameras.saved": ("Saved and applied.", "저장하고 적용했습니다."),
    "cameras.test": ("Test connection", "연결 시험"),
    "cameras.testing": ("Connecting…", "연결하는 중…"),
    "cameras.test_ok": ("Connected: the first frame is shown.", "연결됨: 첫 프레임을 표시합니다."),
    "cameras.disable": ("Disable", "사용 중지"),
    "cameras.enable": ("Enable", "사용"),
    "cameras.delete": ("Delete", "삭제"),
    "cameras.confirm_delete": (
        "Delete camera {camera}? It stops now; its alerts are kept.",
        "카메라 {camera}을(를) 삭제할까요? 지금 멈추며 알림 기록은 남습니다.",
    ),
    "cameras.bad_json": ("The rules are not valid JSON.", "규칙이 올바른 JSON이 아닙니다."),
    "cameras.id": ("ID", "아이디"),
    "cameras.health": ("Health", "상태"),
    "cameras.source": ("Source", "영상 주소"),
    "cameras.show_source": ("Show (contains credentials)", "보기 (인증 정보 포함)"),
    "cameras.zones": ("Zones", "구역"),
    "cameras.rules": ("Rules", "규칙"),
    "zones.draw": ("Draw zones", "구역 그리기"),
    "zones.title": ("Zones of {camera}", "{camera} 구역"),
    "zones.help": (
        "Click on the picture to add the zone's corners (at least 3), name it and save.",
        "화면을 클릭해 구역의 꼭짓점을 3개 이상 추가하고 이름을 정한 뒤 저장하세요.",
    ),
    "zones.keys": (
        "Keyboard: in the picture, the arrow keys move the cross (Shift: in larger steps), Enter or Space adds a point "
        "there, Backspace takes the last one back.",
        "키보드: 화면 영역에서 화살표 키로 십자선을 옮기고(Shift: 크게), Enter 또는 Space로 그 자리에 점을 추가하며, "
        "Backspace로 마지막 점을 취소합니다.",
    ),
    "zones.canvas": ("Zone drawing area", "구역 그리기 영역"),
    "zones.name": ("Zone name", "구역 이름"),
    "zones.points": ("{count} point(s)", "꼭짓점 {count}개"),
    "zones.undo": ("Undo last point", "마지막 점 취소"),
    "zones.clear": ("Clear", "지우기"),
    "zones.save": ("Save zone", "구역 저장"),
    "zones.saved": (
        "Zone {name} saved: the camera uses it now.",
        "구역 {name}을(를) 저장했습니다. 카메라에 바로 적용됩니다.",
    ),
    "zones.too_few": ("A zone needs at least 3 points.", "구역에는 점이 3개 이상 필요합니다."),
    "zones.watched_by": ("watched by", "감시 규칙"),
    "zones.unwatched": (
        "no rule watches it yet: add one on the camera's page",
        "아직 감시하는 규칙이 없습니다. 카메라 편집에서 추가하세요",
    ),
    "zones.none": ("No zones yet.", "아직 구역이 없습니다."),
    "zones.yaml": ("For the configuration file", "설정 파일용"),
    "zones.yaml_help": (
        "Saved zones are in use already; this is the camera's 'zones:' for those who keep the configuration file "
        "in step.",
        "저장한 구역은 이미 사용 중입니다. 설정 파일도 맞춰 두려면 이 'zones:' 내용을 쓰세요.",
    ),
    "users.title": ("Users", "사용자"),
    "users.name": ("Name", "이름"),
    "users.role": ("Role", "역할"),
    "users.created": ("Created", "생성일"),
    "users.add": ("Add user", "사용자 추가"),
    "users.added": ("User {name} added.", "사용자 {name}이(가) 추가되었습니다."),
    "users.exists": ("A user with this name exists already.", "같은 이름의 사용자가 이미 있습니다."),
    "users.bad_name": (
        "A user name has 1 to 64 characters without spaces; the role is viewer, operator or admin.",
        "사용자 이름은 공백 없이 1~64자이며, 역할은 조회자, 운영자, 관리자 중 하나입니다.",
    ),
    "role.viewer": ("viewer", "조회자"),
    "role.operator": ("operator", "운영자"),
    "role.admin": ("admin", "관리자"),
    "error.forbidden": (
        "Your role ({role}) may not open this page; it needs {needed}.",
        "현재 역할({role})로는 이 페이지를 열 수 없습니다. {needed} 권한이 필요합니다.",
    ),
    "error.title": ("Not allowed", "권한 없음"),
    "type.fire": ("Fire", "화재"),
    "type.smoke": ("Smoke", "연기"),
    "type.fight": ("Fight", "싸움"),
    "type.fall": ("Fall", "쓰러짐"),
    "type.intrusion": ("Intrusion", "침입"),
    "type.loitering": ("Loitering", "배회"),
    "type.line_crossing": ("Line crossing", "선 통과"),
    "type.crowding": ("Crowding", "군집"),
    "type.object": ("Object", "객체"),
    "status.new": ("New", "신규"),
    "status.acknowledged": ("Acknowledged", "확인됨"),
    "status.resolved": ("Resolved", "해결됨"),
    "status.false_alarm": ("False alarm", "오탐"),
    "severity.critical": ("Critical", "긴급"),
    "severity.high": ("High", "높음"),
    "severity.medium": ("Medium", "보통"),
    "severity.low": ("Low", "낮음"),
    "action.acknowledge": ("acknowledged", "확인"),
    "action.resolve": ("resolved", "해결"),
    "action.false_alarm": ("marked a false alarm", "오탐 처리"),
    "action.note": ("note", "메모"),
}
MESSAGES.update(ADMIN_MESSAGES)
MESSAGES.update(CONTROL_MESSAGES)
MESSAGES.update(RULE_MESSAGES)
MESSAGES.update(CLUSTER_MESSAGES)

Translator = Callable[..., str]


def translator(lang: str) -> Translator:
    """``t(key, **values)``: the message in ``lang`` with ``{values}`` filled in; a missing key raises KeyError."""
    index = LANGUAGES.index(lang)

    def t(key: str, **values: object) -> str:
        text = MESSAGES[key][index]
        return text.format(**values) if values else text

    return t


def _from_accept_language(header: str) -> str | None:
    """The supported language the browser ranks highest (``ko-KR,ko;q=0.9,en;q=0.8`` -> ko)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def choose_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return _from_accept_language(request.headers.get("accept-language", "")) or DEFAULT_LANGUAGE
