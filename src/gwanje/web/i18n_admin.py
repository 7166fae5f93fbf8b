"""The strings of the administration pages added after the first release (alert channels, audit log, camera groups),
in English and Korean; ``gwanje.web.i18n`` merges them into its messages."""

from __future__ import annotations

ADMIN_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.channels": ("Alert channels", "알림 채널"),
    "nav.audit": ("Audit log", "감사 로그"),
    "channels.title": ("Alert channels", "알림 채널"),
    "channels.help": (
        "Channels are set in the configuration file (alerts.webhooks, alerts.apprise, alerts.mqtt). "
        "Addresses with secrets are shown only as their scheme or host.",
        "채널은 설정 파일(alerts.webhooks, alerts.apprise, alerts.mqtt)에서 정합니다. "
        "비밀 정보가 들어 있는 주소는 방식이나 호스트만 표시합니다.",
    ),
    "channels.none": ("No alert channel is configured.", "설정된 알림 채널이 없습니다."),
    "channels.name": ("Channel", "채널"),
    "channels.targets": ("Sends to", "보내는 곳"),
    "channels.filters": ("Filters", "필터"),
    "channels.all": ("everything", "전체"),
    "channels.types": ("types", "유형"),
    "channels.cameras": ("cameras", "카메라"),
    "channels.hours": ("hours", "시간대"),
    "channels.states": ("reports", "보고"),
    "channels.last": ("Last delivery", "마지막 전송"),
    "channels.never": ("nothing sent yet", "아직 보낸 것이 없음"),
    "channels.pending": ("{count} waiting", "대기 {count}건"),
    "channels.test": ("Send test", "테스트 전송"),
    "channels.testing": ("Sending…", "전송 중…"),
    "channels.test_ok": ("Test delivered.", "테스트 메시지를 전달했습니다."),
    "channels.test_failed": ("Test failed: {detail}", "테스트 실패: {detail}"),
    "channels.last_test": ("Last test", "마지막 테스트"),
    "delivery.pending": ("pending", "대기 중"),
    "delivery.delivered": ("delivered", "전달됨"),
    "delivery.failed": ("failed", "실패"),
    "audit.title": ("Audit log", "감사 로그"),
    "audit.chain_ok": (
        "The chain verifies: {count} entries, none edited or removed.",
        "체인 검증 성공: {count}개 항목, 수정되거나 삭제된 항목이 없습니다.",
    ),
    "audit.chain_broken": (
        "The chain does NOT verify: {problem} problem(s); entries were edited or removed.",
        "체인 검증 실패: 문제 {problem}건. 항목이 수정되거나 삭제되었습니다.",
    ),
    "audit.actor": ("Who", "사용자"),
    "audit.action": ("Action", "동작"),
    "audit.target": ("Target", "대상"),
    "audit.client": ("Address", "주소"),
    "audit.detail": ("Detail", "상세"),
    "audit.time": ("Time", "시간"),
    "audit.none": ("No entries match.", "조건에 맞는 항목이 없습니다."),
    "groups.title": ("Camera groups", "카메라 그룹"),
    "groups.help": (
        "Once a group exists, a viewer or operator sees only the cameras of their groups (and their alerts); "
        "admins see every camera.",
        "그룹이 하나라도 있으면 조회자와 운영자는 자신이 속한 그룹의 카메라(와 그 알림)만 봅니다. "
        "관리자는 모든 카메라를 봅니다.",
    ),
    "groups.name": ("Group", "그룹"),
    "groups.cameras": ("Cameras", "카메라"),
    "groups.members": ("Members", "구성원"),
    "groups.save": ("Save group", "그룹 저장"),
    "groups.delete": ("Delete group", "그룹 삭제"),
    "groups.saved": ("Group {name} saved.", "그룹 {name}을(를) 저장했습니다."),
    "groups.deleted": ("Group {name} deleted.", "그룹 {name}을(를) 삭제했습니다."),
    "groups.bad": (
        "A group name has 1 to 64 characters without spaces; cameras and users must exist.",
        "그룹 이름은 공백 없이 1~64자이며, 카메라와 사용자는 존재해야 합니다.",
    ),
    "groups.none": (
        "No groups yet: every user sees every camera until the first group is saved.",
        "그룹이 없습니다. 첫 그룹을 저장하기 전까지 모든 사용자가 모든 카메라를 봅니다.",
    ),
    "users.groups": ("Groups", "그룹"),
}
