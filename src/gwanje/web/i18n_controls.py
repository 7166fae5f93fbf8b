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
}
