"""Demo content for ``agora loaddemo``: fictional articles and comments written for Agora.

Zerdava, Bahrik, Aweran, Tirsan, the Zerav river and the Haldun Pass are invented
places; every person named here is invented too. The comments cover each state a
moderator meets (approved, replies, pending, rejected, and decisions reversed both
ways), and every state change goes through ``agora.comments.actions`` so the
audit trail is the real one.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from agora.articles.models import Article
from agora.comments import actions
from agora.comments.models import Reason, Status
from agora.desks.roles import CHIEF

MODERATOR_USERNAME = "demo-moderator"
# A local demo: the password is fixed and printed so anyone running the demo can log in.
MODERATOR_PASSWORD = "agora-demo-moderator"
MODERATOR_PERMISSIONS = (
    "articles.view_article",
    "articles.add_article",
    "articles.change_article",
    "comments.view_comment",
    "comments.view_decision",
)

APPROVE = (Status.APPROVED, "", "")


def reject(reason: str, note: str = "") -> tuple[str, str, str]:
    return (Status.REJECTED, reason, note)


@dataclass(frozen=True)
class DemoComment:
    key: str  # stable within its article, so loading twice finds the comment again
    author_name: str
    author_email: str
    body: str
    # Moderation decisions in order: (to_status, reason, note). Empty = still pending.
    history: tuple[tuple[str, str, str], ...] = ()
    reply_to: str | None = None


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    standfirst: str
    byline: str
    body: str
    language: str
    days_ago: int
    comments_open: bool = True
    comments: tuple[DemoComment, ...] = field(default_factory=tuple)


ARTICLES = (
    DemoArticle(
        slug="zerdava-council-agrees-budget",
        title="Zerdava council agrees budget after all-night session",
        standfirst=(
            "Schools and the Aweran water line get more money; opposition members say "
            "the mountain roads were left behind."
        ),
        byline="Leyla Daran",
        language="en",
        days_ago=1,
        body=(
            "Members of the Zerdava provincial council approved next year's budget shortly "
            "after five o'clock on Thursday morning, ending a session that began the previous "
            "afternoon and ran through the night.\n\n"
            "The final plan raises spending on schools by a tenth and sets aside money to "
            "finish the water line to Aweran, which has relied on tanker lorries every summer "
            "since its old pipes failed.\n\n"
            "The vote was 23 to 17. Opposition members argued that the budget does too little "
            "for the mountain roads above Tirsan, several of which are closed for weeks each "
            "winter. An amendment to move money from new council offices to road repairs was "
            "defeated by three votes.\n\n"
            "Council leader Hana Serdar said the water line could not wait another year. "
            '"Families in Aweran have been patient for long enough," she told reporters as '
            "members left the chamber.\n\n"
            "The budget now goes to the provincial governor, who has fourteen days to sign it "
            "or send it back to the council."
        ),
        comments=(
            DemoComment(
                "water",
                "Amira K.",
                "amira.k@example.org",
                "Good news for Aweran. My cousins there have bought water from tankers for "
                "three summers now.",
                history=(APPROVE,),
            ),
            DemoComment(
                "water-reply",
                "Dara",
                "dara@example.net",
                "Same in our street. I hope the line is finished before next summer and not "
                "just promised again.",
                history=(APPROVE,),
                reply_to="water",
            ),
            DemoComment(
                "roads",
                "Yusuf Tal",
                "yusuf.tal@example.net",
                "Seventeen votes against and the mountain roads still get nothing.\n\n"
                "Who decided the council needed new offices more than a safe road to Tirsan?",
                history=(APPROVE,),
            ),
            DemoComment(
                "schools-question",
                "Nisa",
                "nisa@example.org",
                "Does anyone know whether the school money includes the villages, or only "
                "the schools in Bahrik?",
            ),
            DemoComment(
                "generators",
                "Best Deals Zerdava",
                "sales@example.com",
                "Cheap generators and water tanks, free delivery across the province! "
                "Call us today for prices.",
                history=(reject(Reason.PROMOTION),),
            ),
            DemoComment(
                "insult",
                "Anon",
                "anon123@example.com",
                "Only an idiot would believe a word this council says, and the reporter is "
                "clearly one too.",
                history=(reject(Reason.PERSONAL_ATTACK),),
            ),
        ),
    ),
    DemoArticle(
        slug="haldun-pass-road-reopens",
        title="Haldun Pass road reopens five months after landslide",
        standfirst=(
            "Drivers between Bahrik and the northern villages no longer face a three-hour "
            "detour, but engineers say the slope still needs watching."
        ),
        byline="Aram Veysi",
        language="en",
        days_ago=3,
        body=(
            "The road over the Haldun Pass reopened to traffic on Monday, five months after a "
            "landslide buried a 200-metre stretch under rock and mud.\n\n"
            "Since March, lorries and buses travelling between Bahrik and the villages of the "
            "northern valley have taken a detour through Tirsan that added up to three hours "
            "to the journey. Shopkeepers in the north say prices rose as deliveries slowed.\n\n"
            "Crews cleared the slide, rebuilt the road on a wider shelf cut into the mountain "
            "and added steel netting and drainage channels above the carriageway. The "
            "provincial roads department says the work cost less than first estimated because "
            "local quarries supplied the stone.\n\n"
            "Engineers have fitted sensors to the slope and will close the road if they detect "
            "movement. Heavy vehicles may use the pass only in daylight until the end of the "
            "year."
        ),
        comments=(
            DemoComment(
                "barrier",
                "Serwan M.",
                "serwan.m@example.org",
                "Drove over the pass this morning. The new surface is good, but there is still "
                "no barrier on the last bend before the village.",
                history=(APPROVE,),
            ),
            DemoComment(
                "barrier-reply",
                "Lale",
                "lale@example.net",
                "There is one now, they put it up yesterday afternoon.",
                reply_to="barrier",
            ),
            DemoComment(
                "guesthouse",
                "Pass View Rooms",
                "rooms@example.com",
                "Road looks great! Stay at our guesthouse at the top of the pass, rooms from "
                "20 a night, book on our website.",
                history=(
                    APPROVE,
                    reject(Reason.PROMOTION, "Approved by mistake: an advert."),
                ),
            ),
            DemoComment(
                "sensors",
                "Havin",
                "havin@example.org",
                "The sensors are a good idea, but who pays the drivers who are stuck every "
                "time the road closes after rain?",
                history=(
                    reject(Reason.OFF_TOPIC),
                    (Status.APPROVED, "", "Reinstated: it is about the road's sensors."),
                ),
            ),
        ),
    ),
    DemoArticle(
        slug="bahrik-cinema-becomes-library",
        title="Bahrik's old cinema reopens as a library, and the queues are back",
        standfirst=(
            "The Firuze, shut for fifteen years, now lends books, holds film nights and has a "
            "waiting list for its reading room."
        ),
        byline="Shirin Baban",
        language="en",
        days_ago=5,
        body=(
            "For the first time in fifteen years there was a queue outside the Firuze on "
            "Saturday morning. The cinema on Bahrik's market street closed with its seats "
            "broken and its roof leaking; it has now reopened as the city's central library.\n\n"
            "Volunteers spent two years raising money and sorting donated books. The old "
            "screen remains, and on Thursday evenings the library shows films from its own "
            "collection, from silent comedies to documentaries made in the valley.\n\n"
            "The reading room, in what used to be the balcony, has forty desks and already "
            "has a waiting list in the exam season. Children's books fill the former ticket "
            "office.\n\n"
            '"My grandparents met in this building," said one of the volunteers. "Now my '
            'daughter comes here to do her homework."'
        ),
        comments=(
            DemoComment(
                "first-film",
                "Rezan",
                "rezan@example.org",
                "I saw my first film at the Firuze. So glad the building is alive again.",
                history=(APPROVE,),
            ),
            DemoComment(
                "projector",
                "Mina",
                "mina@example.net",
                "Me too! Do they still have the old projector?",
                history=(APPROVE,),
                reply_to="first-film",
            ),
            DemoComment(
                "fridays",
                "Yusuf Tal",
                "yusuf.tal@example.net",
                "Is the reading room open on Fridays? The article doesn't say.",
            ),
        ),
    ),
    DemoArticle(
        slug="zerdava-election-count-confirmed",
        title="Zerdava election: final count confirmed after recount",
        standfirst="The electoral commission has published the final figures for all districts.",
        byline="Leyla Daran",
        language="en",
        days_ago=40,
        comments_open=False,
        body=(
            "The provincial electoral commission confirmed the final count on Sunday after "
            "recounting the ballots of two districts, where the first count had been closer "
            "than a hundred votes.\n\n"
            "The recount changed no seats. Turnout across the province was 61 per cent, the "
            "highest in three elections."
        ),
    ),
    DemoArticle(
        slug="bahrik-new-market-ar",
        title="افتتاح سوق جديد للخضار والفاكهة في بهريك",
        standfirst="يجمع السوق أكثر من مئة بائع تحت سقف واحد بعد سنوات من البيع على الأرصفة.",
        byline="ريم نصّار",
        language="ar",
        days_ago=2,
        body=(
            "افتتحت بلدية بهريك صباح السبت السوق المسقوف الجديد قرب محطة الحافلات القديمة، "
            "بحضور عشرات الباعة والمتسوقين.\n\n"
            "وكان المزارعون القادمون من قرى وادي زيراف يعرضون محاصيلهم على أرصفة الشارع "
            "الرئيسي، ما تسبب في ازدحام يومي وشكاوى متكررة من السكان.\n\n"
            "وقال رئيس البلدية إن إيجار البسطة في السوق سيبقى رمزياً خلال السنة الأولى، وإن "
            "الأولوية في توزيع الأماكن أُعطيت لصغار المزارعين.\n\n"
            "ويطالب بعض الباعة بتمديد ساعات العمل في شهر رمضان، فيما وعدت البلدية بدراسة "
            "الطلب قبل حلول الشهر."
        ),
        comments=(
            DemoComment(
                "crowding",
                "سامي",
                "sami@example.org",
                "خطوة ممتازة. كان الزحام على الرصيف لا يُطاق كل صباح.",
                history=(APPROVE,),
            ),
            DemoComment(
                "parking",
                "هدى",
                "huda@example.net",
                "هل هناك موقف للسيارات قرب السوق؟",
            ),
        ),
    ),
    DemoArticle(
        slug="zerav-bridge-opens-tr",
        title="Zerav Nehri'ndeki yeni köprü trafiğe açıldı",
        standfirst=(
            "Aweran ile Bahrik arasındaki yol yarım saat kısaldı; köylüler artık ürünlerini "
            "pazara aynı gün götürüp dönebiliyor."
        ),
        byline="Elif Tunalı",
        language="tr",
        days_ago=4,
        body=(
            "Üç yıl süren inşaatın ardından Zerav Nehri üzerindeki yeni köprü pazartesi günü "
            "trafiğe açıldı. Açılışa bölge halkının yanı sıra il meclisi üyeleri de katıldı.\n\n"
            "Eski ahşap köprü her bahar sel yüzünden kapanıyor, Aweran'dan gelen araçlar vadiyi "
            "dolaşmak zorunda kalıyordu. Yeni köprü iki şeritli ve bir yaya yolu da var.\n\n"
            "Bölgedeki çiftçiler, ürünlerini artık sabah erkenden Bahrik pazarına götürüp aynı "
            "gün evlerine dönebileceklerini söylüyor.\n\n"
            "İl yönetimi, köprünün yakınına bir otobüs durağı yapılacağını ve yeni hattın "
            "sonbaharda hizmete gireceğini açıkladı."
        ),
        comments=(
            DemoComment(
                "winter",
                "Ayşe",
                "ayse@example.org",
                "Köprü özellikle kışın çok işimize yarayacak. Emeği geçenlere teşekkürler.",
                history=(APPROVE,),
            ),
        ),
    ),
    DemoArticle(
        slug="zerdava-mobile-library-fa",
        title="کتابخانه‌ی سیار به روستاهای زرداوا رسید",
        standfirst=(
            "یک اتوبوس قدیمی که به کتابخانه تبدیل شده، هر هفته به دوازده روستای دورافتاده سر می‌زند."
        ),
        byline="سارا نیک‌پور",
        language="fa",
        days_ago=6,
        body=(
            "اتوبوس آبی‌رنگی که تا پارسال مسافران را میان بهریک و تیرسان جابه‌جا می‌کرد، حالا "
            "قفسه‌هایی پر از کتاب دارد و هر هفته به دوازده روستای کوهستانی زرداوا می‌رود.\n\n"
            "این طرح را گروهی از معلمان بازنشسته راه انداخته‌اند. آن‌ها می‌گویند بیشتر این "
            "روستاها نه کتابخانه دارند و نه کتاب‌فروشی، و بچه‌ها جز کتاب‌های درسی چیزی برای "
            "خواندن ندارند.\n\n"
            "در هر توقف، بچه‌ها می‌توانند تا سه کتاب امانت بگیرند و هفته‌ی بعد پس بدهند. "
            "بزرگ‌ترها بیشتر سراغ رمان و کتاب‌های کشاورزی می‌روند.\n\n"
            "گردانندگان طرح امیدوارند تا پایان سال با کمک اهالی، شمار روستاها را به بیست "
            "برسانند."
        ),
        comments=(
            DemoComment(
                "waiting",
                "نسرین",
                "nasrin@example.org",
                "بچه‌های روستای ما هر هفته چشم‌به‌راه این اتوبوس‌اند. دستتان درد نکند.",
                history=(APPROVE,),
            ),
        ),
    ),
    DemoArticle(
        slug="aweran-new-school-ckb",
        title="قوتابخانەیەکی نوێ لە ئاوەران کرایەوە",
        standfirst=(
            "زیاتر لە چوارسەد قوتابی ئیتر پێویست ناکات هەموو ڕۆژێک بۆ شارۆچکەی دراوسێ بچن."
        ),
        byline="شیلان ڕەشید",
        language="ckb",
        days_ago=7,
        body=(
            "قوتابخانە نوێیەکەی ئاوەران دوێنێ بە ئامادەبوونی دایکان و باوکان و مامۆستایان "
            "دەرگاکانی کردەوە. بیناکە دوازدە پۆل و تاقیگەیەکی زانستی و کتێبخانەیەکی بچووکی "
            "تێدایە.\n\n"
            "تا ئێستا قوتابیانی ئاوەران ڕۆژانە نزیکەی سەعاتێک بە پاس دەچوون بۆ تیرسان، و لە "
            "زستاندا کە ڕێگاکە دادەخرا، زۆرجار نەیاندەتوانی بگەنە قوتابخانە.\n\n"
            "بەڕێوەبەری قوتابخانەکە گوتی ساڵی داهاتوو پۆلی ئێوارانیش بۆ گەورەساڵان دەکرێتەوە، "
            "بۆ فێربوونی خوێندن و نووسین.\n\n"
            "هەندێک لە دانیشتووان داوای پاسی قوتابخانە دەکەن بۆ گوندە دوورەکانی دەوروبەر، و "
            "پارێزگا بەڵێنی داوە لە بودجەی ساڵی داهاتوودا ڕەچاوی بکات."
        ),
        comments=(
            DemoComment(
                "thanks",
                "ئاراس",
                "aras@example.org",
                "دەستتان خۆش بێت. منداڵەکانمان زۆر پێویستیان بەم قوتابخانەیە بوو.",
                history=(APPROVE,),
            ),
        ),
    ),
    DemoArticle(
        slug="tirsan-pomegranate-festival-kmr",
        title="Li Tirsanê festîvala hinaran dest pê kir",
        standfirst=(
            "Cotkarên gundên derdorê berhemên xwe yên îsal anîn meydana bajêr; muzîk û dîlan "
            "heta şevê berdewam kirin."
        ),
        byline="Rojda Bozan",
        language="kmr",
        days_ago=8,
        body=(
            "Festîvala hinaran a salane ya Tirsanê îro bi beşdariya bi sedan kesan li meydana "
            "navenda bajêr dest pê kir. Cotkarên ku ji gundên Geliyê Zeravê hatine, hinar û "
            "şerbeta hinaran difroşin.\n\n"
            "Îsal ji ber baranên biharê berhem ji sala borî zêdetir e. Cotkarekî pîr got ku di "
            "bîst salên dawî de hinarên ewqas mezin nedîtine.\n\n"
            "Êvarê koma muzîkê ya ciwanên Tirsanê stranên gelêrî gotin û xelkê heta dereng "
            "dîlan girt.\n\n"
            "Şaredariyê ragihand ku festîval sê rojan berdewam dike û di roja dawî de "
            "pêşbirkeke xwarinên bi hinaran dê were lidarxistin."
        ),
        comments=(
            DemoComment(
                "coming",
                "Berfîn",
                "berfin@example.org",
                "Hinarên Tirsanê yên herî xweş in! Sibê em ê jî werin.",
                history=(APPROVE,),
            ),
        ),
    ),
)


@dataclass
class LoadSummary:
    articles_created: int = 0
    comments_created: int = 0
    decisions_recorded: int = 0


def demo_moderator():
    """The demo's staff user; its password is set again on every load so the printed one works."""
    user, _ = get_user_model().objects.get_or_create(username=MODERATOR_USERNAME)
    user.is_staff = True
    user.set_password(MODERATOR_PASSWORD)
    user.save()
    for label in MODERATOR_PERMISSIONS:
        app_label, codename = label.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # The demo shows every moderator page, word lists and desks included.
    user.groups.add(Group.objects.get(name=CHIEF))
    return user


@transaction.atomic
def load() -> LoadSummary:
    """Create what is missing of the demo; running it again changes nothing.

    Articles are found by slug and comments by an idempotency key derived from the
    demo, and only the decisions a comment does not have yet are recorded.
    """
    summary = LoadSummary()
    moderator = demo_moderator()
    now = timezone.now()
    for demo in ARTICLES:
        article, created = Article.objects.get_or_create(
            slug=demo.slug,
            defaults={
                "title": demo.title,
                "standfirst": demo.standfirst,
                "byline": demo.byline,
                "body": demo.body,
                "language": demo.language,
                "published_at": now - timedelta(days=demo.days_ago),
                "comments_open": demo.comments_open,
            },
        )
        summary.articles_created += created
        stored = {}
        for demo_comment in demo.comments:
            comment, created = actions.post_comment(
                actions.NewComment(
                    article=article,
                    author_name=demo_comment.author_name,
                    author_email=demo_comment.author_email,
                    body=demo_comment.body,
                    parent=stored.get(demo_comment.reply_to),
                    idempotency_key=f"demo:{demo.slug}:{demo_comment.key}",
                )
            )
            summary.comments_created += created
            stored[demo_comment.key] = comment
            for to_status, reason, note in demo_comment.history[comment.decisions.count() :]:
                if to_status == Status.APPROVED:
                    actions.approve(comment, moderator, note=note)
                else:
                    actions.reject(comment, moderator, reason, note=note)
                summary.decisions_recorded += 1
    return summary
