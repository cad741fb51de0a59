//! Messages in Korean (first) and English.
//!
//! Lower layers name a message by key; the edge picks the reader's language
//! (`?lang=`, the `lang` cookie, then `Accept-Language`; Korean when nothing says otherwise).

/// A language the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ko,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code
            .trim()
            .split(['-', '_'])
            .next()?
            .to_ascii_lowercase()
            .as_str()
        {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, by q-value.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The message for `key`; the key itself when the catalogue lacks it (a bug, visible).
    pub fn t(self, key: &str) -> &'static str {
        match MESSAGES.iter().find(|(k, _, _)| *k == key) {
            Some((_, ko, en)) => match self {
                Lang::Ko => ko,
                Lang::En => en,
            },
            None => "?",
        }
    }
}

/// (key, Korean, English).
const MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "소통", "Sotong"),
    (
        "app.tagline",
        "기관과 주민, 직원과 기관장을 잇는 소통 공간",
        "Where an institution, its staff and its residents talk",
    ),
    // Validation
    ("invalid.blank", "비어 있을 수 없습니다", "can't be blank"),
    ("invalid.too_long", "너무 깁니다", "is too long"),
    (
        "invalid.malformed",
        "형식이 올바르지 않습니다",
        "is invalid",
    ),
    (
        "invalid.taken",
        "이미 사용 중입니다",
        "has already been taken",
    ),
    (
        "invalid.handle_chars",
        "영문자, 숫자, 밑줄(_)만 쓸 수 있습니다",
        "must contain only letters, numbers and underscores",
    ),
    (
        "invalid.reserved",
        "예약된 이름이라 쓸 수 없습니다",
        "is reserved",
    ),
    (
        "invalid.password_short",
        "8자 이상이어야 합니다",
        "is too short (minimum is 8 characters)",
    ),
    (
        "invalid.password_weak",
        "추측하기 쉬운 비밀번호입니다. 더 길고 흔하지 않은 문구를 쓰세요",
        "is too easy to guess; use a longer, less common phrase",
    ),
    (
        "invalid.locale",
        "지원하지 않는 언어입니다 (ko, en)",
        "is not a supported language (ko, en)",
    ),
    (
        "invalid.scope",
        "알 수 없는 권한 범위입니다",
        "contains an unknown scope",
    ),
    (
        "invalid.redirect_uri",
        "절대 URI여야 하며 프래그먼트를 가질 수 없습니다",
        "must be an absolute URI without a fragment",
    ),
    (
        "invalid.code_chars",
        "영문자, 숫자, -, _ 만 쓸 수 있습니다",
        "must contain only letters, numbers, - and _",
    ),
    (
        "invalid.kind",
        "허용되지 않는 값입니다",
        "is not an allowed value",
    ),
    (
        "invalid.agreement",
        "약관에 동의해야 합니다",
        "must be accepted",
    ),
    (
        "invalid.password_mismatch",
        "두 비밀번호가 다릅니다",
        "doesn't match",
    ),
    (
        "invalid.current_password",
        "현재 비밀번호가 맞지 않습니다",
        "is incorrect",
    ),
    (
        "error.validation",
        "입력값을 확인하세요",
        "Validation failed",
    ),
    // Field names, for messages such as "이메일: 이미 사용 중입니다"
    ("field.username", "아이디", "Username"),
    ("field.display_name", "이름", "Display name"),
    ("field.email", "이메일", "Email"),
    ("field.password", "비밀번호", "Password"),
    (
        "field.current_password",
        "현재 비밀번호",
        "Current password",
    ),
    (
        "field.password_confirmation",
        "비밀번호 확인",
        "Password confirmation",
    ),
    ("field.locale", "언어", "Locale"),
    ("field.scope", "권한 범위", "Scope"),
    ("field.redirect_uris", "리디렉션 URI", "Redirect URI"),
    ("field.client_name", "앱 이름", "Application name"),
    ("field.website", "웹사이트", "Website"),
    ("field.agreement", "약관 동의", "Agreement"),
    ("field.code_challenge", "PKCE 챌린지", "Code challenge"),
    ("field.position", "직위", "Position"),
    // Errors
    (
        "error.not_found",
        "요청한 것을 찾을 수 없습니다",
        "Record not found",
    ),
    (
        "error.page_not_found",
        "페이지를 찾을 수 없습니다",
        "The page you are looking for isn't here.",
    ),
    (
        "error.unauthorized",
        "이 작업에는 로그인이 필요합니다",
        "The access token is invalid",
    ),
    (
        "error.user_token_required",
        "사용자 토큰이 필요합니다",
        "This method requires an authenticated user",
    ),
    (
        "error.forbidden",
        "이 작업을 할 권한이 없습니다",
        "This action is not allowed",
    ),
    (
        "error.scope",
        "토큰에 이 작업을 위한 권한 범위가 없습니다",
        "This action is outside the authorized scopes",
    ),
    (
        "error.rate_limited",
        "요청이 너무 많습니다. 잠시 후 다시 시도하세요",
        "Too many requests. Try again later.",
    ),
    (
        "error.control_characters",
        "제어 문자(NUL 등)는 보낼 수 없습니다",
        "Control characters (such as NUL) are not accepted",
    ),
    (
        "error.too_deep",
        "JSON 본문은 다섯 단계보다 깊게 중첩할 수 없습니다",
        "A JSON body may not nest more than five levels deep",
    ),
    (
        "error.malformed_body",
        "요청 본문을 해석할 수 없습니다",
        "The request body could not be parsed",
    ),
    (
        "error.body_too_large",
        "요청 본문이 너무 큽니다",
        "The request body is too large",
    ),
    (
        "error.unsupported_media_type",
        "지원하지 않는 Content-Type입니다",
        "Unsupported Content-Type",
    ),
    (
        "error.internal",
        "서버에 문제가 생겼습니다. 잠시 후 다시 시도하세요",
        "Something went wrong on our side. Try again later.",
    ),
    (
        "error.bad_credentials",
        "아이디(또는 이메일)나 비밀번호가 맞지 않습니다",
        "Invalid username, email or password",
    ),
    (
        "error.registrations_closed",
        "이 서버는 지금 가입을 받지 않습니다",
        "Registrations are closed on this server",
    ),
    (
        "error.csrf",
        "보안 토큰이 맞지 않습니다. 페이지를 새로 고친 뒤 다시 시도하세요",
        "The security token did not match. Reload the page and try again.",
    ),
    (
        "error.invalid_client",
        "알 수 없는 클라이언트이거나 클라이언트 인증에 실패했습니다",
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
    ),
    (
        "error.invalid_grant",
        "인가 코드나 자격 증명이 유효하지 않거나 만료되었습니다",
        "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
    ),
    (
        "error.invalid_redirect_uri",
        "리디렉션 URI가 이 앱에 등록된 것이 아닙니다",
        "The redirect uri included is not valid.",
    ),
    (
        "error.unsupported_grant_type",
        "지원하지 않는 grant_type입니다",
        "The authorization grant type is not supported by the authorization server.",
    ),
    (
        "error.unsupported_response_type",
        "지원하지 않는 response_type입니다",
        "The authorization server does not support this response type.",
    ),
    (
        "error.invalid_scope",
        "요청한 권한 범위가 유효하지 않거나 앱에 허용된 범위를 넘습니다",
        "The requested scope is invalid, unknown, or malformed.",
    ),
    (
        "error.invalid_request",
        "필수 매개변수가 빠졌거나 잘못되었습니다",
        "The request is missing a required parameter or is otherwise malformed.",
    ),
    (
        "error.unauthorized_client",
        "이 클라이언트는 이 작업을 할 수 없습니다",
        "You are not authorized to revoke this token",
    ),
    (
        "error.access_denied",
        "사용자가 요청을 거부했습니다",
        "The resource owner or authorization server denied the request.",
    ),
    (
        "invalid.visibility_membership",
        "소속 기관이나 부서가 없어 이 공개 범위를 쓸 수 없습니다",
        "needs an organisation or department you belong to",
    ),
    (
        "error.blocked",
        "차단 관계인 계정과는 이 작업을 할 수 없습니다",
        "This is not possible between accounts where one blocks the other",
    ),
    (
        "invalid.duration",
        "기간은 0 이상의 초 단위 숫자여야 합니다 (0은 무기한)",
        "The duration must be a number of seconds, 0 or more (0: until undone)",
    ),
    (
        "error.wall_closed",
        "이 담벼락에는 친구만 글을 남길 수 있습니다",
        "Only friends may post on this wall",
    ),
    (
        "error.invalid_paging",
        "페이지 매개변수(max_id, since_id, min_id, limit)는 숫자여야 합니다",
        "Paging parameters (max_id, since_id, min_id, limit) must be numbers",
    ),
    ("field.status", "내용", "Text"),
    ("field.title", "제목", "Title"),
    ("field.spoiler_text", "내용 경고", "Content warning"),
    ("field.visibility", "공개 범위", "Visibility"),
    ("field.language", "언어", "Language"),
    ("field.media_ids", "첨부 미디어", "Media"),
    ("field.wall_account_id", "담벼락", "Wall"),
    ("field.note", "소개", "Note"),
    ("field.types", "알림 종류", "Notification types"),
    (
        "notification.wall_post",
        "{name}님이 회원님의 담벼락에 게시물을 남겼습니다.",
        "{name} posted on your wall.",
    ),
    (
        "notification.mention",
        "{name}님이 회원님을 언급했습니다.",
        "{name} mentioned you.",
    ),
    (
        "notification.favourite",
        "{name}님이 회원님의 게시물을 좋아합니다.",
        "{name} favourited your post.",
    ),
    (
        "notification.follow",
        "{name}님이 회원님을 팔로우합니다.",
        "{name} followed you.",
    ),
    (
        "invalid.media_too_large",
        "파일이 너무 큽니다 (10MB까지)",
        "is too large (10 MB at most)",
    ),
    (
        "invalid.media_pixels",
        "이미지가 너무 큽니다 (가로·세로 8192픽셀까지)",
        "has too many pixels (8192 per side at most)",
    ),
    (
        "invalid.media_type",
        "JPEG, PNG, WebP, GIF 이미지만 올릴 수 있습니다",
        "must be a JPEG, PNG, WebP or GIF image",
    ),
    (
        "invalid.media_undecodable",
        "이미지를 읽을 수 없습니다 (손상되었거나 잘린 파일)",
        "could not be read (damaged or truncated)",
    ),
    (
        "invalid.media_unknown",
        "올린 적 없거나 이미 다른 글에 붙은 미디어입니다",
        "contains media that was not uploaded by you or is already attached",
    ),
    (
        "invalid.media_count",
        "사진은 4장까지 붙일 수 있습니다",
        "can hold at most 4 photos",
    ),
    ("field.file", "파일", "File"),
    ("field.description", "대체 텍스트", "Description"),
    (
        "error.reblog_not_allowed",
        "공개 또는 미등록 공개 게시물만 부스트할 수 있습니다",
        "Only public and unlisted posts can be boosted",
    ),
    (
        "invalid.pinned_count",
        "고정할 수 있는 게시물은 5개까지입니다",
        "can hold at most 5 pinned posts",
    ),
    ("field.pinned", "고정", "Pinned"),
    (
        "notification.reblog",
        "{name}님이 회원님의 게시물을 부스트했습니다.",
        "{name} boosted your post.",
    ),
    (
        "notification.suggestion_status",
        "회원님의 건의에 새 처리 단계가 있습니다.",
        "Your suggestion has moved on.",
    ),
    (
        "notification.session_reminder",
        "{name}님이 연 프로그램의 모임이 곧 시작됩니다.",
        "A session of {name}'s program is coming up.",
    ),
    (
        "notification.update",
        "{name}님이 회원님이 부스트한 게시물을 수정했습니다.",
        "{name} edited a post you boosted.",
    ),
    (
        "error.room_named",
        "이름을 밝히는 방입니다. 계정으로 들어오세요",
        "This room is not anonymous: join with your account",
    ),
    ("error.room_closed", "닫힌 방입니다", "This room is closed"),
    (
        "error.room_host_named",
        "방장과 공동 방장은 실명으로 참여합니다",
        "Hosts and co-hosts take part under their names",
    ),
    (
        "error.room_audience",
        "이 방에 참여할 수 있는 대상이 아닙니다",
        "You are not among those this room is open to",
    ),
    (
        "error.room_join_code",
        "참여 코드가 맞지 않습니다",
        "The join code is not right",
    ),
    (
        "error.room_ticket_taken",
        "이 방의 입장권은 이미 받으셨습니다",
        "You have already had a ticket for this room",
    ),
    (
        "error.room_removed",
        "이 방에서 내보내졌습니다",
        "You were removed from this room",
    ),
    ("error.room_full", "방이 가득 찼습니다", "The room is full"),
    (
        "error.room_ticket_invalid",
        "입장권이 올바르지 않습니다",
        "The ticket is not valid for this room",
    ),
    (
        "error.room_not_joined",
        "먼저 방에 입장하세요",
        "Join the room first",
    ),
    (
        "error.room_not_host",
        "방장만 할 수 있습니다",
        "Only the room's hosts can do this",
    ),
    (
        "error.room_muted",
        "발언이 제한되었습니다",
        "You have been muted in this room",
    ),
    (
        "error.room_credentials_on_join",
        "익명 티켓과 함께 계정 정보를 보내지 마세요",
        "Send no account credentials with an anonymous ticket",
    ),
    (
        "invalid.room_audience",
        "대상은 link, organization, department, accounts, cohort 중 하나여야 합니다",
        "must be one of link, organization, department, accounts, cohort",
    ),
    (
        "invalid.room_capacity",
        "정원은 2명에서 10000명 사이여야 합니다",
        "must be a number from 2 to 10000",
    ),
    (
        "invalid.cohort_months",
        "기간은 1개월에서 120개월 사이여야 합니다",
        "must be a number of months from 1 to 120",
    ),
    (
        "invalid.reaction",
        "쓸 수 있는 반응은 👍 ❤️ 😂 😮 😢 🙏 입니다",
        "must be one of 👍 ❤️ 😂 😮 😢 🙏",
    ),
    (
        "error.suggestion_anonymous_only",
        "익명 건의는 익명 방의 입장권으로만 올릴 수 있습니다",
        "An anonymous suggestion is raised with an anonymous room's ticket",
    ),
    (
        "error.suggestion_not_yours",
        "담당 부서, 기관장, 관리자만 처리 상태를 바꿀 수 있습니다",
        "Only the assigned department, the head and administrators can change this",
    ),
    (
        "error.suggestion_moved",
        "그사이 다른 사람이 상태를 바꿨습니다. 새로 고친 뒤 다시 하세요",
        "Someone changed it meanwhile; reload and try again",
    ),
    (
        "error.already_supported",
        "이미 공감하셨습니다",
        "You already support this",
    ),
    (
        "invalid.suggestion_status",
        "상태는 received, reviewing, accepted, done, declined 중 하나여야 합니다",
        "must be one of received, reviewing, accepted, done, declined",
    ),
    (
        "invalid.suggestion_transition",
        "이 단계로는 바로 갈 수 없습니다 (접수 → 검토중 → 조치중 → 처리완료, 또는 불수용)",
        "cannot go there from here (received → reviewing → accepted → done, or declined)",
    ),
    (
        "invalid.category",
        "없는 분류입니다",
        "is not a known category",
    ),
    (
        "invalid.date",
        "날짜는 YYYY-MM-DD 형식이어야 합니다",
        "must be a date as YYYY-MM-DD",
    ),
    (
        "invalid.period",
        "끝나는 날이 시작하는 날보다 앞설 수 없습니다",
        "must not end before it starts",
    ),
    (
        "invalid.sort",
        "정렬은 newest, oldest, support 중 하나여야 합니다",
        "must be one of newest, oldest, support",
    ),
    (
        "invalid.unknown_filter",
        "알 수 없는 조건입니다",
        "is not a filter this list knows",
    ),
    (
        "invalid.weekday",
        "요일은 월~일 (또는 monday~sunday) 중 하나여야 합니다",
        "must be a day of the week",
    ),
    (
        "invalid.time",
        "시각은 HH:MM 형식이어야 합니다",
        "must be a time as HH:MM",
    ),
    (
        "invalid.duration_minutes",
        "길이는 10분에서 720분 사이여야 합니다",
        "must be 10 to 720 minutes",
    ),
    (
        "invalid.sessions",
        "횟수는 1회에서 200회 사이여야 합니다",
        "must be 1 to 200 sessions",
    ),
    (
        "invalid.program_end",
        "끝나는 날이나 횟수 중 하나는 정해야 합니다",
        "needs a last day or a number of sessions",
    ),
    (
        "error.program_staff_only",
        "기관 직원만 프로그램을 만들 수 있습니다",
        "Only staff of an organisation can create programs",
    ),
    (
        "error.program_not_host",
        "프로그램 진행자만 할 수 있습니다",
        "Only the program's host can do this",
    ),
    (
        "error.session_not_planned",
        "예정된 모임만 바꾸거나 취소할 수 있습니다",
        "Only a planned session can be moved or cancelled",
    ),
    (
        "error.session_not_training",
        "출석은 교육 프로그램에서만 받습니다",
        "Attendance is for training sessions",
    ),
    (
        "invalid.program_kind",
        "종류는 communication_day 또는 training이어야 합니다",
        "must be communication_day or training",
    ),
    (
        "invalid.program_participants",
        "대상은 rotation, cohort, everyone 중 하나여야 합니다",
        "must be one of rotation, cohort, everyone",
    ),
    (
        "invalid.department_outside",
        "이 기관의 부서가 아닙니다",
        "is not a department of this organisation",
    ),
    (
        "invalid.check_in_code",
        "출석 코드가 맞지 않습니다",
        "is not this session's code",
    ),
    (
        "invalid.time_zone",
        "시간대는 Asia/Seoul 같은 IANA 이름이어야 합니다",
        "must be an IANA time zone such as Asia/Seoul",
    ),
    // Web app
    ("visibility.public", "전체 공개", "Public"),
    ("visibility.unlisted", "조용히 공개", "Quiet public"),
    ("visibility.private", "팔로워만", "Followers only"),
    ("visibility.organization", "기관 내부", "My organisation"),
    ("visibility.department", "부서 내부", "My department"),
    (
        "visibility.direct",
        "언급한 사람만",
        "Mentioned people only",
    ),
    (
        "web.composer.alt",
        "사진 설명 (화면 낭독기용)",
        "Photo description (for screen readers)",
    ),
    ("web.composer.photos", "사진 (최대 4장)", "Photos (up to 4)"),
    (
        "web.composer.photos_hint",
        "JPEG, PNG, WebP, GIF. 위치 정보는 지워집니다.",
        "JPEG, PNG, WebP, GIF. Location data is removed.",
    ),
    (
        "web.composer.placeholder",
        "무슨 이야기를 나누고 싶으세요?",
        "What would you like to share?",
    ),
    ("web.composer.submit", "게시", "Post"),
    ("web.composer.visibility", "공개 범위", "Who can see it"),
    (
        "web.composer.too_many",
        "사진은 4장까지 올릴 수 있습니다",
        "You can attach up to 4 photos",
    ),
    ("web.more", "이전 글 더 보기", "Older posts"),
    ("web.nav.label", "주 메뉴", "Main menu"),
    ("web.nav.notifications", "알림", "Notifications"),
    ("web.nav.rooms", "소통방", "Rooms"),
    ("web.nav.search", "사람 찾기", "Find people"),
    ("web.nav.suggestions", "제안", "Suggestions"),
    (
        "web.notifications.none",
        "새 알림이 없습니다.",
        "No notifications yet.",
    ),
    ("web.notifications.new", "새 알림", "New notification"),
    (
        "web.offline",
        "오프라인 상태입니다. 연결되면 다시 불러옵니다.",
        "You are offline. The page reloads when the connection returns.",
    ),
    ("web.post.favourites", "좋아요", "Favourites"),
    ("web.post.heading", "게시물", "Post"),
    ("web.post.photo", "첨부 사진", "Attached photo"),
    ("web.post.replies", "댓글", "Replies"),
    ("web.post.wall_suffix", "님의 담벼락", "'s wall"),
    ("web.profile.follow", "팔로우", "Follow"),
    ("web.profile.followers", "팔로워", "Followers"),
    ("web.profile.following", "팔로잉", "Following"),
    (
        "web.profile.friends",
        "서로 팔로우하는 친구입니다.",
        "You are friends (you follow each other).",
    ),
    ("web.profile.unfollow", "팔로우 취소", "Unfollow"),
    ("web.profile.wall", "담벼락", "Wall"),
    ("web.reply.placeholder", "댓글 쓰기", "Write a reply"),
    ("web.search.heading", "사람 찾기", "Find people"),
    (
        "web.search.hint",
        "이름, 아이디, 부서, 직위, 초성(예: ㅎㄱㄷ)으로 찾을 수 있습니다.",
        "Search by name, handle, department, position or Korean initial consonants (e.g. ㅎㄱㄷ).",
    ),
    ("web.search.label", "검색어", "Search"),
    ("web.search.none", "찾는 사람이 없습니다.", "Nobody found."),
    ("web.search.results", "검색 결과", "Results"),
    ("web.search.submit", "찾기", "Search"),
    (
        "web.timeline.empty",
        "아직 글이 없습니다.",
        "Nothing here yet.",
    ),
    ("web.timeline.home", "홈 타임라인", "Home timeline"),
    (
        "web.wall.friends_only",
        "이 담벼락에는 친구(서로 팔로우)만 글을 남길 수 있습니다.",
        "Only friends (mutual follows) can write on this wall.",
    ),
    (
        "web.wall.placeholder",
        "담벼락에 글 남기기",
        "Write on the wall",
    ),
    (
        "web.wall.sign_in",
        "로그인하면 담벼락에 글을 남길 수 있습니다.",
        "Log in to write on this wall.",
    ),
    ("web.offline.title", "오프라인", "Offline"),
    ("web.offline.retry", "다시 시도", "Try again"),
    (
        "web.rooms.heading",
        "참여할 수 있는 소통방",
        "Rooms you can join",
    ),
    ("web.rooms.anonymous", "익명", "Anonymous"),
    ("web.rooms.hosting", "진행 중인 방", "You host"),
    ("web.rooms.host", "진행", "Host"),
    (
        "web.rooms.none",
        "지금 참여할 수 있는 방이 없습니다.",
        "No open rooms for you right now.",
    ),
    ("web.room.you_are", "이 방에서 나는", "In this room you are"),
    (
        "web.room.waiting",
        "참여자가 충분히 모이면 대화가 보입니다 (익명 보호).",
        "Messages appear once enough people have joined (to protect anonymity).",
    ),
    (
        "web.room.host_waiting",
        "익명 보호를 위해 더 많은 참여자를 기다리고 있습니다",
        "Waiting for more participants to protect anonymity",
    ),
    ("web.room.failed", "참여하지 못했습니다:", "Could not join:"),
    (
        "web.room.hidden",
        "진행자가 가린 메시지입니다.",
        "Hidden by the host.",
    ),
    (
        "web.room.closed",
        "종료된 방입니다.",
        "This room is closed.",
    ),
    ("web.room.messages", "메시지", "Messages"),
    (
        "web.room.make_suggestion",
        "제안으로 만들기",
        "Make a suggestion",
    ),
    ("web.room.hide", "가리기", "Hide"),
    ("web.room.reason", "가리는 이유", "Reason for hiding"),
    (
        "web.room.no_messages",
        "아직 메시지가 없습니다.",
        "No messages yet.",
    ),
    (
        "web.room.explain",
        "익명으로 참여하면 이 브라우저가 방의 서명을 받은 입장권을 직접 만듭니다. 서버도 누가 어떤 말을 했는지 알 수 없습니다.",
        "Joining anonymously, this browser makes its own ticket, blindly signed by the room. Not even the server can tell who said what.",
    ),
    ("web.room.join", "익명으로 참여하기", "Join anonymously"),
    ("web.room.message", "메시지", "Message"),
    ("web.room.send", "보내기", "Send"),
    (
        "web.room.named",
        "실명으로 참여하는 방입니다. 앱(마스토돈 API)에서 참여해 주세요.",
        "This room is for named participants; join it from an app.",
    ),
    ("web.suggestion.title", "제목", "Title"),
    ("web.suggestion.category", "분류", "Category"),
    ("web.suggestions.heading", "제안 게시판", "Suggestion board"),
    (
        "web.suggestions.withheld",
        "이 부서는 인원이 적어 숫자를 공개하지 않습니다 (익명 보호).",
        "Numbers are withheld for a department this small (to protect anonymity).",
    ),
    ("web.suggestions.numbers", "제안 현황", "Suggestion numbers"),
    ("web.suggestions.raised", "제기", "raised"),
    ("web.suggestions.processed", "처리", "processed"),
    ("web.suggestions.under_review", "검토 중", "under review"),
    ("web.suggestions.status", "상태", "Status"),
    ("web.suggestions.all", "전체", "All"),
    ("web.suggestions.sort", "정렬", "Sort"),
    ("web.suggestions.newest", "최신순", "Newest"),
    ("web.suggestions.oldest", "오래된순", "Oldest"),
    ("web.suggestions.most_supported", "공감순", "Most supported"),
    ("web.suggestions.filter", "보기", "Show"),
    ("web.suggestions.raise", "제안하기", "Make a suggestion"),
    ("web.suggestions.me_too", "공감", "Me too"),
    (
        "web.suggestions.none",
        "조건에 맞는 제안이 없습니다.",
        "No suggestions match.",
    ),
    (
        "web.suggestion.raised_as",
        "익명 제안:",
        "Raised anonymously as",
    ),
    ("web.suggestion.named", "실명 제안", "Raised by name"),
    ("web.suggestion.history", "처리 경과", "History"),
    (
        "web.suggestion.answer_heading",
        "답변과 처리",
        "Answer and progress",
    ),
    ("web.suggestion.next", "다음 단계", "Next step"),
    (
        "web.suggestion.answer",
        "답변 (불수용이면 이유)",
        "Answer (the reason, when declining)",
    ),
    (
        "web.suggestion.answer_hint",
        "답변은 부서와 직위 이름으로 공개됩니다.",
        "Answers are published under the department and role, not your name.",
    ),
    ("web.suggestion.save", "저장", "Save"),
    ("web.suggestion.body", "내용", "Details"),
    (
        "web.suggestion.anonymous_hint",
        "실명으로 제안합니다. 익명 제안은 소통방에서 할 수 있습니다.",
        "This suggestion carries your name. Anonymous suggestions are made in a room.",
    ),
    ("web.nav.organization", "조직", "Organisation"),
    ("web.org.tree", "부서", "Departments"),
    (
        "web.org.none",
        "소속 기관이 없습니다.",
        "You belong to no organisation.",
    ),
    ("web.org.staff", "직원", "staff"),
    (
        "web.org.empty",
        "이 부서에는 직원이 없습니다.",
        "No staff in this department.",
    ),
    ("web.nav.programs", "프로그램", "Programs"),
    ("web.programs.training", "교육", "Training"),
    (
        "web.programs.communication_day",
        "소통의 날",
        "Communication day",
    ),
    (
        "web.programs.none",
        "기관의 프로그램이 없습니다.",
        "Your organisation has no programs.",
    ),
    ("web.session.held", "진행함", "Held"),
    ("web.session.cancelled", "취소", "Cancelled"),
    ("web.session.open", "진행 중", "Under way"),
    ("web.session.planned", "예정", "Planned"),
    ("web.stats.held", "진행한 회차", "Sessions held"),
    ("web.stats.planned", "예정된 회차", "Sessions planned"),
    ("web.stats.cancelled", "취소된 회차", "Sessions cancelled"),
    (
        "web.stats.departments",
        "참여한 부서",
        "Departments covered",
    ),
    ("web.stats.participants", "참여 인원", "Participants"),
    ("web.stats.raised", "나온 제안", "Suggestions raised"),
    (
        "web.stats.processed",
        "처리된 제안",
        "Suggestions processed",
    ),
    ("web.stats.trained", "교육받은 직원", "Staff trained"),
    (
        "web.program.numbers",
        "프로그램 현황",
        "The program in numbers",
    ),
    ("web.program.calendar", "일정", "Calendar"),
    (
        "web.program.no_sessions",
        "일정이 없습니다.",
        "No sessions.",
    ),
    ("web.session.join_room", "소통방 들어가기", "Go to the room"),
    ("web.session.attendance", "출석", "Attendance"),
    ("web.session.code", "출석 코드", "Check-in code"),
    (
        "web.session.checked_in",
        "출석했습니다.",
        "You are checked in.",
    ),
    (
        "web.session.enter_code",
        "강사가 알려준 출석 코드",
        "The check-in code the trainer gave",
    ),
    ("web.session.check_in", "출석하기", "Check in"),
    ("web.admin.heading", "관리", "Administration"),
    (
        "web.admin.no_orgs",
        "기관이 없습니다. sotong admin create-org 로 만드세요.",
        "No organisations yet; create one with sotong admin create-org.",
    ),
    (
        "web.admin.no_departments",
        "부서가 없습니다. 아래에서 CSV로 가져오세요.",
        "No departments yet; import them below from CSV.",
    ),
    ("web.admin.role_of", "역할:", "Role of"),
    ("web.admin.change_role", "역할 바꾸기", "Change role"),
    (
        "web.admin.import_departments",
        "부서 가져오기 (CSV)",
        "Import departments (CSV)",
    ),
    (
        "web.admin.departments_hint",
        "열: code,name,kind,parent_code (kind는 bureau, department, team)",
        "Columns: code,name,kind,parent_code (kind: bureau, department or team)",
    ),
    (
        "web.admin.import_staff",
        "직원 가져오기 (CSV)",
        "Import staff (CSV)",
    ),
    (
        "web.admin.staff_hint",
        "열: handle,display_name,email,department_code,position,role. 비밀번호는 가져오지 않습니다.",
        "Columns: handle,display_name,email,department_code,position,role. No passwords are imported.",
    ),
    ("web.admin.csv_file", "CSV 파일 (UTF-8)", "CSV file (UTF-8)"),
    (
        "web.admin.skip_invalid",
        "잘못된 행은 건너뛰고 나머지를 가져오기",
        "Skip bad rows and import the rest",
    ),
    ("web.admin.uploading", "올리는 중", "Uploading"),
    ("web.admin.import", "가져오기", "Import"),
    ("web.admin.importing", "가져오는 중", "Importing"),
    ("web.admin.import_done", "가져오기 끝", "Import finished"),
    (
        "web.admin.nothing_imported",
        "잘못된 행이 있어 아무것도 가져오지 않았습니다. 고치거나 건너뛰기를 선택하세요.",
        "Nothing was imported because of the rows below; fix them or choose to skip them.",
    ),
    ("web.admin.imported", "가져온 행", "Rows imported"),
    (
        "web.admin.rejected",
        "가져오지 못한 행",
        "Rows not imported",
    ),
    ("web.admin.line", "행", "Line"),
    ("web.admin.field", "항목", "Field"),
    ("web.admin.reason", "이유", "Reason"),
    (
        "web.admin.back",
        "기관으로 돌아가기",
        "Back to the organisation",
    ),
    (
        "error.administrators_only",
        "관리자만 할 수 있습니다",
        "Only administrators may do this",
    ),
    (
        "invalid.role",
        "알 수 없는 역할입니다",
        "is not a known role",
    ),
    (
        "invalid.role_needs_organization",
        "직원 역할은 기관에 속한 계정만 가질 수 있습니다",
        "staff roles need an account that belongs to an organisation",
    ),
    ("web.programs.new", "새 프로그램", "New program"),
    ("web.programs.kind", "종류", "Kind"),
    ("web.programs.weekday", "요일", "Weekday"),
    ("web.programs.time", "시작 시각", "Start time"),
    (
        "web.programs.duration",
        "진행 시간(분)",
        "Duration (minutes)",
    ),
    ("web.programs.starts_on", "첫 날", "First day"),
    ("web.programs.sessions", "회차 수", "Number of sessions"),
    ("web.programs.participants", "참여 대상", "Who takes part"),
    (
        "web.programs.rotation",
        "부서별로 돌아가며",
        "Departments in turn",
    ),
    (
        "web.programs.everyone",
        "기관 전체",
        "Everyone in the organisation",
    ),
    (
        "web.programs.cohort",
        "최근 입사한 직원",
        "Recently joined staff",
    ),
    (
        "web.programs.cohort_months",
        "입사 후 개월 수 (최근 입사자)",
        "Months since joining (recent staff)",
    ),
    (
        "web.programs.rotation_order",
        "돌아가며 참여할 부서",
        "Departments taking turns",
    ),
    ("web.programs.create", "만들기", "Create"),
    ("web.weekday.monday", "월요일", "Monday"),
    ("web.weekday.tuesday", "화요일", "Tuesday"),
    ("web.weekday.wednesday", "수요일", "Wednesday"),
    ("web.weekday.thursday", "목요일", "Thursday"),
    ("web.weekday.friday", "금요일", "Friday"),
    (
        "web.room.mute_or_remove",
        "음소거 / 내보내기",
        "Mute or remove",
    ),
    ("web.room.mute", "음소거", "Mute"),
    ("web.room.remove", "내보내기", "Remove"),
    (
        "web.room.raise",
        "익명으로 제안하기",
        "Make a suggestion anonymously",
    ),
    (
        "web.room.raise_hint",
        "이 방의 익명 이름으로 제안합니다. 이름은 남지 않습니다.",
        "The suggestion carries your pseudonym in this room, never your name.",
    ),
    (
        "web.room.raised",
        "제안이 접수되었습니다. 제안 보기",
        "Your suggestion was received. See it",
    ),
    ("web.admin.new_org", "기관 만들기", "New organisation"),
    ("web.admin.org_name", "기관 이름", "Name"),
    (
        "web.admin.org_slug",
        "주소용 이름 (영문)",
        "Short name for addresses (Latin letters)",
    ),
    (
        "web.admin.org_slug_hint",
        "영문, 숫자, -, _ (예: nuri-gu)",
        "Letters, digits, - and _ (e.g. nuri-gu)",
    ),
    ("web.admin.org_kind", "종류", "Kind"),
    ("web.admin.kind_district", "구·군", "District"),
    ("web.admin.kind_city", "시", "City"),
    ("web.admin.kind_province", "도", "Province"),
    ("web.admin.kind_agency", "기관", "Agency"),
    ("web.admin.org_parent", "상위 기관", "Parent organisation"),
    ("web.admin.no_parent", "없음", "None"),
    ("web.admin.create_org", "만들기", "Create"),
    (
        "web.timeline.fresh",
        "새 글이 있습니다. 보기",
        "New posts. Show them",
    ),
    // Roles
    ("role.administrator", "관리자", "Administrator"),
    ("role.organization_head", "기관장", "Head of organisation"),
    ("role.department_head", "부서장", "Head of department"),
    ("role.official", "공무원", "Official"),
    ("role.resident", "주민", "Resident"),
    // Web pages
    ("nav.home", "홈", "Home"),
    ("nav.sign_in", "로그인", "Log in"),
    ("nav.sign_up", "회원가입", "Sign up"),
    ("nav.sign_out", "로그아웃", "Log out"),
    ("nav.password", "비밀번호 변경", "Change password"),
    ("nav.language", "English", "한국어"),
    ("nav.skip", "본문으로 건너뛰기", "Skip to content"),
    ("sign_in.title", "소통에 로그인", "Log in to Sotong"),
    ("sign_in.login", "아이디 또는 이메일", "Username or email"),
    ("sign_in.submit", "로그인", "Log in"),
    (
        "sign_in.no_account",
        "계정이 없으신가요?",
        "No account yet?",
    ),
    ("sign_up.title", "소통 가입하기", "Join Sotong"),
    ("sign_up.submit", "가입하기", "Sign up"),
    (
        "sign_up.handle_hint",
        "영문자, 숫자, 밑줄(_) 30자 이내",
        "Letters, numbers and underscores, up to 30",
    ),
    (
        "sign_up.password_hint",
        "8자 이상, 추측하기 어려운 문구",
        "At least 8 characters, hard to guess",
    ),
    (
        "sign_up.have_account",
        "이미 계정이 있으신가요?",
        "Already have an account?",
    ),
    ("password.title", "비밀번호 변경", "Change password"),
    ("password.new", "새 비밀번호", "New password"),
    (
        "password.confirm",
        "새 비밀번호 확인",
        "Confirm new password",
    ),
    ("password.submit", "변경하기", "Change"),
    (
        "password.changed",
        "비밀번호를 바꿨습니다. 다른 기기의 로그인은 모두 끝났습니다.",
        "Your password was changed. Other sessions were logged out.",
    ),
    ("home.welcome", "님, 반갑습니다", ", welcome"),
    (
        "home.guest",
        "소통에 오신 것을 환영합니다",
        "Welcome to Sotong",
    ),
    ("home.organization", "기관", "Organisation"),
    ("home.department", "부서", "Department"),
    ("home.position", "직위", "Position"),
    ("home.role", "역할", "Role"),
    (
        "authorize.title",
        "앱 권한 허용",
        "Authorise an application",
    ),
    (
        "authorize.question",
        "이(가) 회원님의 계정을 사용하려고 합니다.",
        "would like to use your account.",
    ),
    ("authorize.scopes", "요청한 권한", "Requested permissions"),
    ("authorize.approve", "허용", "Authorise"),
    ("authorize.deny", "거부", "Deny"),
    ("authorize.signed_in_as", "로그인한 계정", "Signed in as"),
    (
        "authorize.sign_in_first",
        "앱에 권한을 주려면 먼저 로그인하세요.",
        "Log in to authorise the application.",
    ),
    ("authorize.code_title", "인가 코드", "Authorisation code"),
    (
        "authorize.code_hint",
        "이 코드를 복사해 앱에 붙여 넣으세요.",
        "Copy this code and paste it into the application.",
    ),
    (
        "scope.read",
        "회원님의 계정 정보와 게시물 읽기",
        "read your account's data",
    ),
    (
        "scope.write",
        "회원님 대신 게시물 쓰기와 계정 정보 바꾸기",
        "modify your account's data and post for you",
    ),
    (
        "scope.follow",
        "팔로우, 차단, 뮤트 관리",
        "manage follows, blocks and mutes",
    ),
    ("scope.push", "푸시 알림 받기", "receive push notifications"),
    (
        "scope.profile",
        "회원님의 프로필 정보 읽기",
        "read your profile information",
    ),
    ("scope.other", "세부 권한", "a detailed permission"),
    ("error.title", "문제가 생겼습니다", "Something went wrong"),
    ("error.back_home", "홈으로", "Back to home"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,ko;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, ko-KR;q=0.5"),
            Some(Lang::Ko)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
    }

    #[test]
    fn every_key_is_unique_and_translated() {
        for (i, (key, ko, en)) in MESSAGES.iter().enumerate() {
            assert!(!ko.is_empty() && !en.is_empty(), "{key}");
            assert!(
                MESSAGES[i + 1..].iter().all(|(k, _, _)| k != key),
                "duplicate {key}"
            );
        }
    }
}
