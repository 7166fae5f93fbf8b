"""The strings of the tripwire editor, the camera form's schedule and threshold fields and the alert feed's controls
(sound, shortcuts, search), in English and Korean; ``gwanje.web.i18n`` merges them into its messages."""

from __future__ import annotations

CONTROL_MESSAGES: dict[str, tuple[str, str]] = {
    "lines.mode": ("Draw", "그리기"),
    "lines.mode_zone": ("a zone", "구역"),
    "lines.mode_line": ("a tripwire", "감시선"),
    "lines.help": (
        "Tripwire: click its two ends on the picture (A, then B), choose which crossing counts (the arrow shows it), "
        "name it and save. People are watched crossing it from then on.",
        "감시선: 화면에서 양 끝점(A, B 순서)을 클릭하고, 어느 방향의 통과를 감지할지 고른 뒤(화살표로 표시) 이름을 정해 "
        "저장하세요. 저장하는 즉시 이 선을 넘는 사람을 감지합니다.",
    ),
    "lines.title": ("Tripwires", "감시선"),
    "lines.name": ("Tripwire name", "감시선 이름"),
    "lines.direction": ("Crossing", "통과 방향"),
    "lines.dir.any": ("both ways", "양방향"),
    "lines.dir.a_to_b": ("from the left of A→B to its right", "A→B 기준 왼쪽에서 오른쪽으로"),
    "lines.dir.b_to_a": ("from the right of A→B to its left", "A→B 기준 오른쪽에서 왼쪽으로"),
    "lines.points": ("{count} of 2 ends", "끝점 2개 중 {count}개"),
    "lines.save": ("Save tripwire", "감시선 저장"),
    "lines.delete": ("Delete", "삭제"),
    "lines.saved": (
        "Tripwire {name} saved: the camera watches it now.",
        "감시선 {name}을(를) 저장했습니다. 카메라에 바로 적용됩니다.",
    ),
    "lines.deleted": ("Tripwire {name} deleted.", "감시선 {name}을(를) 삭제했습니다."),
    "lines.too_few": ("Click both ends of the tripwire first.", "먼저 감시선의 양 끝점을 클릭하세요."),
    "lines.none": ("No tripwires yet.", "아직 감시선이 없습니다."),
    "schedule.title": ("When the camera raises alerts", "알림을 내는 시간"),
    "rules.title": ("Rules", "규칙"),
    "rules.help": (
        "Each rule's own settings (beside each, in small type, its name in the configuration file; hover for what it "
        "does). Only what you change is saved; the rest of the rule stays as it is.",
        "규칙마다의 설정입니다 (옆의 작은 글씨는 설정 파일에서의 이름입니다. 마우스를 올리면 설명이 보입니다). 바꾼 "
        "항목만 저장되고 나머지는 그대로 둡니다.",
    ),
    "rules.schedule": ("When this rule is armed (no window: always)", "이 규칙이 동작하는 시간 (시간대 없음: 항상)"),
    "rules.none": (
        "This camera has no rules yet (add one in the JSON below, or draw a zone).",
        "이 카메라에는 아직 규칙이 없습니다 (아래 JSON에 추가하거나 구역을 그리세요).",
    ),
    "schedule.help": (
        "No window: always. Times are in the time zone below (empty: the server's); a window whose end is before "
        "its start runs past midnight.",
        "시간대가 없으면 항상 알립니다. 시각은 아래 표준시간대 기준이며(비우면 서버 기준), 끝이 시작보다 이르면 자정을 "
        "넘깁니다.",
    ),
    "schedule.timezone": ("Time zone (e.g. Asia/Seoul)", "표준시간대 (예: Asia/Seoul)"),
    "schedule.add": ("Add window", "시간대 추가"),
    "schedule.remove": ("Remove", "삭제"),
    "schedule.start": ("From", "시작"),
    "schedule.end": ("Until", "끝"),
    "schedule.no_day": ("Each window needs at least one day.", "시간대마다 요일을 하나 이상 골라야 합니다."),
    "day.mon": ("Mon", "월"),
    "day.tue": ("Tue", "화"),
    "day.wed": ("Wed", "수"),
    "day.thu": ("Thu", "목"),
    "day.fri": ("Fri", "금"),
    "day.sat": ("Sat", "토"),
    "day.sun": ("Sun", "일"),
    "thresholds.title": ("Alerts by type", "유형별 알림"),
    "thresholds.help": (
        "Confidence (0 to 1) an observation needs to count, after the sensitivity above; untick to raise no alert "
        "of that type on this camera. Only the types changed here are saved for this camera.",
        "관찰이 인정되는 데 필요한 신뢰도(0~1, 위의 민감도를 적용한 값)입니다. 체크를 풀면 이 카메라에서 그 유형의 "
        "알림을 내지 않습니다. 여기서 바꾼 유형만 이 카메라에 저장됩니다.",
    ),
    "thresholds.type": ("Type", "유형"),
    "thresholds.on": ("Alerts", "알림"),
    "thresholds.threshold": ("Threshold", "임계값"),
    "feed.search": ("Search", "검색"),
    "feed.search_hint": ("camera, zone, label, note or alert id", "카메라, 구역, 라벨, 메모 또는 알림 ID"),
    "feed.unread": ("{count} unread (not opened by you yet)", "읽지 않은 알림 {count}건 (아직 열어 보지 않음)"),
    "feed.unread_mark": ("Unread", "읽지 않음"),
    "feed.mark_all_read": ("Mark all read", "모두 읽음으로 표시"),
    "sound.on": ("Alarm sound: on", "경보음: 켜짐"),
    "sound.off": ("Alarm sound: off", "경보음: 꺼짐"),
    "sound.help": (
        "Fire, fight and fall alerts sound and flash the screen while this page is open; the setting is remembered "
        "in this browser.",
        "이 화면이 열려 있는 동안 화재, 싸움, 쓰러짐 알림은 경보음과 함께 화면이 깜박입니다. 설정은 이 브라우저에 "
        "저장됩니다.",
    ),
    "keys.title": ("Keyboard shortcuts", "단축키"),
    "keys.next": ("next alert", "다음 알림"),
    "keys.previous": ("previous alert", "이전 알림"),
    "keys.open": ("open the selected alert", "선택한 알림 열기"),
    "keys.search": ("search", "검색"),
    "keys.sound": ("alarm sound on or off", "경보음 켜기/끄기"),
    "keys.acknowledge": ("acknowledge", "확인"),
    "keys.resolve": ("resolve", "해결"),
    "keys.false_alarm": ("mark a false alarm", "오탐 처리"),
    "keys.note": ("write a note (Enter adds it, status unchanged)", "메모 쓰기 (Enter: 상태는 그대로 두고 추가)"),
    "event.add_note": ("Add note", "메모 추가"),
    "keys.back": ("back to the alert feed", "알림 목록으로 돌아가기"),
}
