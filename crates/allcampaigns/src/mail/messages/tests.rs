//! The mails read as they did when they were built with `format!`: same words, same links,
//! values escaped in the HTML part and left as they are in the text part.

use super::*;
use crate::text::Lang;

const TENANT: &str = "Ana's <Shop> & \"Co\"";

fn english() -> &'static Texts {
    Lang::En.texts()
}

#[test]
fn the_sign_in_mail_carries_the_link_in_both_parts() {
    let link = "https://x.test/login/confirm?token=a&next=/t/1";
    let mail = Mail::sign_in("ana@example.com", english(), link).unwrap();
    assert_eq!(mail.to, "ana@example.com");
    assert_eq!(mail.subject, "Your All Campaigns sign-in link");
    assert_eq!(
        mail.text,
        "Open this link to sign in to All Campaigns:\n\n\
         https://x.test/login/confirm?token=a&next=/t/1\n\n\
         It works once and expires in 15 minutes. If you did not ask for it, ignore this message."
    );
    assert_eq!(
        mail.html,
        "<p>Open this link to sign in to All Campaigns:</p>\n\
         <p><a href=\"https://x.test/login/confirm?token=a&#38;next=/t/1\">Sign in</a></p>\n\
         <p>It works once and expires in 15 minutes. If you did not ask for it, ignore this \
         message.</p>"
    );
}

#[test]
fn the_invitation_mail_names_the_client_and_role_and_escapes_the_name_in_html() {
    let link = "https://x.test/invitations/accept?tenant=1&token=2";
    let mail = Mail::invitation("bo@example.com", english(), TENANT, Role::Admin, link).unwrap();
    assert_eq!(
        mail.subject,
        "You are invited to Ana's <Shop> & \"Co\" on All Campaigns"
    );
    assert_eq!(
        mail.text,
        "You are invited to join Ana's <Shop> & \"Co\" on All Campaigns as admin.\n\n\
         Accept here:\nhttps://x.test/invitations/accept?tenant=1&token=2\n\n\
         The invitation expires in 7 days."
    );
    assert_eq!(
        mail.html,
        "<p>You are invited to join <strong>Ana&#39;s &#60;Shop&#62; &#38; &#34;Co&#34;</strong> \
         on All Campaigns as admin.</p>\n\
         <p><a href=\"https://x.test/invitations/accept?tenant=1&#38;token=2\">Accept the \
         invitation</a></p>\n\
         <p>The invitation expires in 7 days.</p>"
    );
}

#[test]
fn the_sync_stopped_mail_says_why_and_escapes_the_reason_in_html() {
    let detail = "Instantly refused the API key. <b>x</b>";
    let mail = Mail::sync_stopped("cy@example.com", english(), TENANT, detail).unwrap();
    assert_eq!(
        mail.subject,
        "Instantly sync stopped for Ana's <Shop> & \"Co\""
    );
    assert_eq!(
        mail.text,
        "Sync for Ana's <Shop> & \"Co\" has stopped: Instantly refused the API key. <b>x</b>\n\n\
         Open the client's Instantly link page in All Campaigns to fix it. Sync stays \
         stopped until then, so Instantly is not asked again with a refused key.\n"
    );
    assert_eq!(
        mail.html,
        "<p>Sync for <strong>Ana&#39;s &#60;Shop&#62; &#38; &#34;Co&#34;</strong> has stopped: \
         Instantly refused the API key. &#60;b&#62;x&#60;/b&#62;</p>\n\
         <p>Open the client&#39;s Instantly link page in All Campaigns to fix it. Sync \
         stays stopped until then.</p>"
    );
}
