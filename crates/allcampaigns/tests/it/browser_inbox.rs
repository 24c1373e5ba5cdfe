//! HTML-03 and HTML-04 in headless Chromium (`tests/browser/inbox.mjs`, tools made ready as in
//! `browser.rs`): a thread whose message is a corpus of hostile HTML, synced through the
//! sanitizer as Instantly's mail is, opens in the inbox. No script runs, the frame is
//! sandboxed without `allow-scripts` and `allow-same-origin`, and nothing is requested from
//! the frame until "show images"; then only our image proxy, whose image loads. The upstream
//! server sees the image's request (without cookies or referrer) and nothing else. SQLite only.

use std::time::Instant;

use allcampaigns::domain::TenantId;

use crate::browser::{CHROMIUM, artifacts_dir, browser_tools, run_script};
use crate::helpers::{TestDb, Visitor};
use crate::image_proxy::{Server, app_allowing, upstream};
use crate::inbox_seed::{Msg, write};

/// Every way an email could run script or reach the network without asking, each pointed
/// at `/canary-…` of the upstream (which must never be asked), and one image at `/logo.png`.
fn hostile_corpus(upstream: &Server) -> String {
    let canary = |name: &str| upstream.url(&format!("/canary-{name}"));
    let logo = upstream.url("/logo.png");
    format!(
        "<p>Hello</p>\
         <script>window.pwned = 1; alert('script')</script>\
         <img src=\"x\" onerror=\"window.pwned = 1; alert('onerror')\">\
         <body onload=\"alert('onload')\"><div onclick=\"alert('click')\">click</div>\
         <div style=\"background:url({css})\">css url</div>\
         <style>@import url({import}); body {{ background: url({bg}) }} \
           @font-face {{ font-family: x; src: url({font}) }}</style>\
         <link rel=\"stylesheet\" href=\"{link}\">\
         <meta http-equiv=\"refresh\" content=\"0;url={refresh}\">\
         <form action=\"{form}\"><input name=\"q\"><button>go</button></form>\
         <iframe src=\"{frame}\"></iframe><frameset><frame src=\"{frame2}\"></frameset>\
         <svg><script>alert('svg')</script><image href=\"{svg_image}\"/>\
           <filter><feImage href=\"{feimage}\"/></filter><use href=\"{use_}#x\"/></svg>\
         <a href=\"javascript:alert('js')\">js link</a>\
         <a href=\"data:text/html,&lt;script&gt;alert('data')&lt;/script&gt;\">data link</a>\
         <img srcset=\"{srcset} 2x\"><picture><source srcset=\"{source}\"></picture>\
         <table background=\"{background}\"><tr><td>t</td></tr></table>\
         <video poster=\"{poster}\"></video><audio src=\"{audio}\"></audio>\
         <object data=\"{object}\"></object><embed src=\"{embed}\">\
         <img src=\"{logo}\" alt=\"logo\">",
        css = canary("css.png"),
        import = canary("import.css"),
        bg = canary("style-bg.png"),
        font = canary("font.woff"),
        link = canary("link.css"),
        refresh = canary("refresh"),
        form = canary("form"),
        frame = canary("frame"),
        frame2 = canary("frame2"),
        svg_image = canary("svg-image.png"),
        feimage = canary("feimage.png"),
        use_ = canary("use.svg"),
        srcset = canary("srcset.png"),
        source = canary("source.png"),
        background = canary("background.png"),
        poster = canary("poster.png"),
        audio = canary("audio.mp3"),
        object = canary("object"),
        embed = canary("embed"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_03_04_hostile_mail_runs_no_script_and_loads_nothing_until_show_images_in_chromium() {
    tokio::task::spawn_blocking(browser_tools)
        .await
        .unwrap()
        .unwrap_or_else(|problem| panic!("{problem}"));
    let db = TestDb::sqlite().await;
    let upstream = upstream().await;
    let app = app_allowing(&db, &upstream, vec![upstream.addr]).await;
    let mut ana = Visitor::install_admin(&app, "ana@agency.example").await;
    let tenant: TenantId = ana.new_client("Acme").await;
    let mut message = Msg::new(tenant, "hostile", "hostile-1", 0);
    message.lead = Some("lead@example.com".into());
    message.subject = "Hostile corpus".into();
    message.html = Some(hostile_corpus(&upstream));
    write(&app.store, &[message], &[]).await;
    // The page is fetched once over HTTP first: the visitor's cookies are then all set.
    let path = format!("/inbox/t/{tenant}/hostile?view=all");
    assert_eq!(ana.get(&path).await.status(), 200);

    let artifacts = artifacts_dir();
    let env = [
        ("APP_URL", app.url("")),
        ("COOKIES", ana.cookie_header()),
        ("THREAD_PATH", path),
        ("CHROMIUM_PATH", CHROMIUM.to_string()),
    ];
    let log = artifacts.join("inbox.log");
    let started = Instant::now();
    let outcome = tokio::task::spawn_blocking({
        let log = log.clone();
        move || run_script("inbox.mjs", &env, &log)
    })
    .await
    .unwrap();
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    if let Err(problem) = outcome {
        panic!("the browser check failed: {problem}\n--- inbox.mjs output ---\n{output}");
    }
    println!("{output}\nin {:.1} s", started.elapsed().as_secs_f64());
    let seen = upstream.seen();
    assert!(
        seen.iter().all(|s| s.path == "/logo.png"),
        "the upstream was asked for more than the image: {:?}",
        seen.iter().map(|s| &s.path).collect::<Vec<_>>()
    );
    assert!(!seen.is_empty(), "the image was fetched through the proxy");
    assert!(
        seen.iter()
            .all(|s| s.cookie.is_none() && s.referer.is_none()),
        "no cookie or referrer reached the upstream"
    );
    app.stop().await;
}
