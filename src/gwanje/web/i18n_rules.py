"""The camera form's rule fields in English and Korean: each rule setting's label (``rulefield.<name>``), what it does
(``rulefield.<name>.help``, shown on hover) and its choices (``rulefield.<name>.<choice>``); ``gwanje.web.i18n``
merges them into its messages. The form shows each setting's configuration name beside its label."""

from __future__ import annotations

RULE_MESSAGES: dict[str, tuple[str, str]] = {
    "rulefield.zone": ("Zone", "구역"),
    "rulefield.zone.help": (
        "The zone of this camera the rule watches (a fall rule without one watches the whole picture).",
        "이 규칙이 감시하는 카메라의 구역입니다 (쓰러짐 규칙은 비워 두면 화면 전체를 감시합니다).",
    ),
    "rulefield.labels": ("Objects watched", "감시할 객체"),
    "rulefield.labels.help": (
        "The object labels the rule watches, separated by commas.",
        "이 규칙이 감시하는 객체 종류입니다. 쉼표로 구분합니다.",
    ),
    "rulefield.min_dwell_s": ("Time inside before it counts (s)", "감지 전 머무는 시간 (초)"),
    "rulefield.min_dwell_s.help": (
        "How long someone must be inside the zone before it is an intrusion (filters flicker).",
        "구역 안에 이 시간 이상 있어야 침입으로 봅니다 (순간적인 오검출을 거릅니다).",
    ),
    "rulefield.min_time_s": ("Loitering time (s)", "배회 판단 시간 (초)"),
    "rulefield.min_time_s.help": (
        "How long someone must stay in the zone to be loitering (KISA: 10 s).",
        "구역에 이 시간 이상 머물면 배회로 봅니다 (한국인터넷진흥원 기준: 10초).",
    ),
    "rulefield.max_gap_s": ("Allowed time away (s)", "허용 이탈 시간 (초)"),
    "rulefield.max_gap_s.help": (
        "Leaving the zone for less than this keeps the timer running.",
        "이 시간보다 짧게 구역을 벗어나면 머문 시간이 계속 이어집니다.",
    ),
    "rulefield.max_people": ("Most people", "최대 인원"),
    "rulefield.max_people.help": (
        "An alert when more than this many people are in the zone.",
        "구역 안의 인원이 이보다 많으면 알림을 냅니다.",
    ),
    "rulefield.name": ("Tripwire name", "감시선 이름"),
    "rulefield.name.help": (
        "The tripwire's name, shown in its alerts (its line is drawn on the zones page).",
        "알림에 표시되는 감시선 이름입니다 (선은 구역 화면에서 그립니다).",
    ),
    "rulefield.direction": ("Crossing", "통과 방향"),
    "rulefield.direction.help": (
        "Which crossings count: both ways, or only one (A→B: from the line's first point to its second).",
        "어느 방향의 통과를 감지할지 고릅니다: 양방향 또는 한 방향 (A→B: 선의 첫 점에서 둘째 점으로).",
    ),
    "rulefield.direction.any": ("both ways", "양방향"),
    "rulefield.direction.a_to_b": ("from the left of A→B to its right", "A→B 기준 왼쪽에서 오른쪽으로"),
    "rulefield.direction.b_to_a": ("from the right of A→B to its left", "A→B 기준 오른쪽에서 왼쪽으로"),
    "rulefield.down_time_s": ("Time down (s)", "쓰러진 채 있는 시간 (초)"),
    "rulefield.down_time_s.help": (
        "How long the person must stay down after the fall was seen (the alert must come within 5 s of them coming "
        "to rest, so 3 s leaves margin for a late frame).",
        "쓰러지는 모습이 보인 뒤 이 시간 동안 누워 있어야 알립니다 (멈춘 뒤 5초 안에 알려야 하므로 3초면 늦은 "
        "프레임에도 여유가 있습니다).",
    ),
    "rulefield.person_threshold": ("Person score for this rule", "이 규칙의 사람 점수 기준"),
    "rulefield.person_threshold.help": (
        "Person boxes from this score are tracked for this rule, even below the person detector's own threshold: "
        "people lying flat score far lower than people standing.",
        "이 점수 이상의 사람 상자를 이 규칙에서 추적합니다 (사람 검출기 자체 기준보다 낮아도). 바닥에 누운 사람은 "
        "서 있는 사람보다 점수가 훨씬 낮게 나옵니다.",
    ),
    "rulefield.found_lying_s": ("Found lying after (s)", "누운 채 발견 시간 (초)"),
    "rulefield.found_lying_s.help": (
        "A person seen lying still this long is a collapse even without a fall seen (already down, or the fall was "
        "hidden). Empty: only falls seen. Where people lie on purpose (lawns, benches, beds), leave it empty or use a "
        "zone.",
        "이 시간 동안 가만히 누워 있는 사람은 쓰러지는 모습을 보지 못했어도 쓰러짐으로 봅니다 (이미 쓰러져 있었거나 "
        "가려진 경우). 비우면 본 쓰러짐만 알립니다. 일부러 눕는 곳(잔디밭, 벤치, 침대)에서는 비우거나 구역을 "
        "정하세요.",
    ),
    "rulefield.found_lying_threshold": ("Lying person score", "누운 사람 점수 기준"),
    "rulefield.found_lying_threshold.help": (
        "The mean person score a lying person's track must keep for the found-lying time (faint clutter stays out).",
        "누운 채 발견 시간 동안 누운 사람의 추적이 유지해야 하는 평균 사람 점수입니다 (희미한 잡음을 거릅니다).",
    ),
}
