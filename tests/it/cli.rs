//! The `sotong` command line, run as a real process against the test database.

use crate::harness::TestApp;
use std::process::{Command, Output};

fn sotong(t: &TestApp, args: &[&str]) -> Output {
    t.command()
        .args(args)
        .env("LANG", "ko_KR.UTF-8")
        .env("SOTONG_LOG", "error")
        .output()
        .expect("sotong runs")
}

/// Opens the organisation the CSV imports go into.
const CREATE_ORG: [&str; 6] = [
    "admin",
    "create-org",
    "--slug",
    "haneul-gu",
    "--name",
    "하늘구청",
];

fn write(t: &TestApp, name: &str, text: &str) -> String {
    let path = t.data_dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_organisation_is_imported_from_csv() {
    let t = TestApp::spawn().await;
    let out = sotong(&t, &[&CREATE_ORG[..], &["--kind", "district"]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let departments = write(
        &t,
        "departments.csv",
        "code,name,kind,parent_code\nT1,민원팀,team,D1\nD1,민원여권과,department,B1\nB1,행정국,bureau,\n",
    );
    let out = sotong(
        &t,
        &[
            "admin",
            "import-departments",
            "--org",
            "haneul-gu",
            &departments,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let staff = write(
        &t,
        "staff.csv",
        "handle,display_name,email,department_code,position,role\nsuji_lee,이수지,suji@haneul.example,D1,주무관,official\nboss,박대표,,D1,과장,department_head\n",
    );
    let out = sotong(&t, &["admin", "import-staff", "--org", "haneul-gu", &staff]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2행을 가져왔습니다"));
    let account = t.app.lookup_account("suji_lee").await.unwrap();
    assert_eq!(account.department_name.as_deref(), Some("민원여권과"));
    assert_eq!(account.organization_name.as_deref(), Some("하늘구청"));
    assert_eq!(t.count("departments").await, 3);
    assert!(
        t.count("audit_log").await >= 3,
        "every administrative action is logged"
    );
}

#[tokio::test]
async fn a_csv_with_bad_rows_changes_nothing_unless_told_to_skip_them() {
    let t = TestApp::spawn().await;
    assert!(sotong(&t, &CREATE_ORG).status.success());
    let departments = write(
        &t,
        "departments.csv",
        "code,name,kind,parent_code\nD1,민원여권과,department,\n",
    );
    assert!(
        sotong(
            &t,
            &[
                "admin",
                "import-departments",
                "--org",
                "haneul-gu",
                &departments
            ]
        )
        .status
        .success()
    );
    let staff = write(
        &t,
        "staff.csv",
        "handle,display_name,email,department_code,position,role\ngood_one,김좋음,good@haneul.example,D1,주무관,\n홍길동,홍길동,x@haneul.example,D1,주무관,\ndup,중복,good@haneul.example,D1,주무관,\nnowhere,없음,,D9,주무관,\nemperor,황제,,D1,황제,emperor\n",
    );
    let out = sotong(&t, &["admin", "import-staff", "--org", "haneul-gu", &staff]);
    assert_eq!(out.status.code(), Some(1));
    let errors = String::from_utf8_lossy(&out.stderr);
    for line in ["3행", "4행", "5행", "6행"] {
        assert!(errors.contains(line), "{line} not reported in:\n{errors}");
    }
    assert!(
        !errors.contains("2행"),
        "the good row is not reported:\n{errors}"
    );
    assert!(errors.contains("아무것도 가져오지 않았습니다"));
    assert_eq!(t.count("accounts").await, 0, "nothing written");

    let out = sotong(
        &t,
        &[
            "admin",
            "import-staff",
            "--org",
            "haneul-gu",
            "--skip-invalid",
            &staff,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(t.count("accounts").await, 1, "only the good row");
}

#[tokio::test]
async fn a_department_cycle_or_unknown_parent_is_reported() {
    let t = TestApp::spawn().await;
    assert!(sotong(&t, &CREATE_ORG).status.success());
    let cycle = write(
        &t,
        "cycle.csv",
        "code,name,kind,parent_code\nA,가과,department,B\nB,나과,department,A\nC,다과,department,ZZ\n",
    );
    let out = sotong(
        &t,
        &["admin", "import-departments", "--org", "haneul-gu", &cycle],
    );
    assert_eq!(out.status.code(), Some(1));
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(errors.contains("4행") && errors.contains("ZZ"), "{errors}");
    assert_eq!(t.count("departments").await, 0);
}

/// `sotong admin create-admin` for `handle`, its password typed on standard input.
fn create_admin(t: &TestApp, handle: &str, name: &str, password: &str) -> Output {
    use std::io::Write as _;
    let mut child = t
        .command()
        .args(["admin", "create-admin", "--handle", handle])
        .args(["--email", &format!("{handle}@nuri.example")])
        .args(["--display-name", name, "--password-stdin"])
        .env("SOTONG_LOG", "error")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(password.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn an_administrator_is_created_and_a_password_reset() {
    let t = TestApp::spawn().await;
    let created = create_admin(&t, "chief", "최관리", "관리자의 긴 비밀번호 문장\n");
    assert!(created.status.success());
    assert_eq!(
        t.user_token("chief", "관리자의 긴 비밀번호 문장", "read")
            .await
            .status(),
        200
    );

    let out = sotong(&t, &["admin", "reset-password", "--handle", "chief"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let new_password = stdout
        .lines()
        .find_map(|l| l.split(": ").nth(1))
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(
        t.user_token("chief", "관리자의 긴 비밀번호 문장", "read")
            .await
            .status(),
        400
    );
    assert_eq!(
        t.user_token("chief", &new_password, "read").await.status(),
        200
    );

    let out = create_admin(&t, "weak", "약함", "password\n");
    assert!(!out.status.success());
    assert!(t.app.lookup_account("weak").await.is_err());
}

#[test]
fn config_prints_the_effective_settings_without_secrets() {
    let out = Command::new(env!("CARGO_BIN_EXE_sotong"))
        .args(["config"])
        .env(
            "SOTONG_DATABASE_URL",
            "postgres://sotong:s3cret-pw@db.example/sotong",
        )
        .env("SOTONG_LIMITS__LOGIN_PER_MINUTE", "3")
        .env("SOTONG_SOMETHING_ELSE", "not a configuration key")
        .output()
        .unwrap();
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(!shown.contains("s3cret-pw"), "{shown}");
    assert!(shown.contains("login_per_minute = 3"), "{shown}");
    assert!(shown.contains("listen = \"127.0.0.1:8080\""), "{shown}");
}

/// `sotong admin backup` while the server runs, `sotong admin restore` into a new SQLite file
/// (refused into the database it came from, which is not empty).
#[tokio::test]
async fn the_command_line_backs_up_and_restores() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let archive = t.data_dir.join("nuri.tar");
    let archive = archive.to_str().unwrap();
    let backed_up = sotong(&t, &["admin", "backup", archive]);
    assert!(backed_up.status.success(), "{backed_up:?}");
    assert!(String::from_utf8_lossy(&backed_up.stdout).contains("백업했습니다"));

    let refused = sotong(&t, &["admin", "restore", archive]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("비어 있지 않습니다"));

    let elsewhere = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        elsewhere.path().join("restored.db").display()
    );
    let restored = Command::new(env!("CARGO_BIN_EXE_sotong"))
        .args(["--database-url", &url, "--data-dir"])
        .arg(elsewhere.path())
        .args(["admin", "restore", archive])
        .env("SOTONG_LOG", "error")
        .output()
        .unwrap();
    assert!(restored.status.success(), "{restored:?}");
    assert!(String::from_utf8_lossy(&restored.stdout).contains("복원했습니다"));
    let copy = sotong::db::Db::connect(&url, 1).await.unwrap();
    let (accounts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
        .fetch_one(copy.pool())
        .await
        .unwrap();
    assert_eq!(accounts, t.count("accounts").await);
}
