"""Demo data for ``manage.py seed_demo``: two stores, their people, buyers in the nine languages,
orders in every status and a realistic 30-day inbox.

Everything is written through the real services (``store_create``, ``member_add``,
``orders_ingest``, ``message_ingest``, ``reply_send``, ``dispute_open``, ``dispute_respond``,
``protection_extend``), so the demo exercises the same paths as production. The one thing done
directly is back-dating: the seller-side services stamp their rows "now", and a 30-day history
needs them at the planned times (see ``_Backdating``).

The plan is deterministic (fixed random seed); times are relative to the moment of seeding.
Running it again when the stores exist changes no data: it only rotates the integration
tokens (the plain token is known only at creation) so it can print working ones.
"""

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from autoreply.services import autoreply_settings_update
from conversations.models import Channel, Conversation, Message, ReplyWait
from conversations.selectors import conversation_list
from conversations.services import (
    conversation_tag_add,
    dispute_respond,
    note_create,
    reply_send,
    tag_create,
)
from coupons.services import coupon_create
from marketplace.services import dispute_open, message_ingest, orders_ingest
from seller_desk.models import (
    AuditEvent,
    AuditKind,
    Buyer,
    DisputeAction,
    DisputeResponse,
    Membership,
    OrderStatus,
    Store,
)
from seller_desk.services import (
    disputes_escalate_due,
    member_add,
    platform_admin_create,
    protection_extend,
    store_create,
    store_rotate_integration_token,
)
from templates_i18n.languages import normalize_language

SEED = 20260314
DEMO_PASSWORD = "sellerdesk-demo"
ADMIN_USERNAME = "platform-admin"
MIN_AGO = timedelta(minutes=5)


@dataclass(frozen=True)
class StoreSpec:
    key: str
    name: str
    tier: str
    timezone: str
    buyers: int
    conversations: int
    amount_range: tuple[int, int]
    agents: tuple[str, str]
    # Reply-delay mix: <1h, 1-4h, 4-8h, 8-24h, >24h; then the chance a recent last buyer message still waits.
    delay_weights: tuple[float, float, float, float, float]
    waiting_share: float
    resume_shipping_days_ago: int


STORES = (
    StoreSpec(
        key="aurora",
        name="Aurora Electronics",
        tier="advanced",
        timezone="America/Los_Angeles",
        buyers=210,
        conversations=170,
        amount_range=(900, 18900),
        agents=("aurora-agent1", "aurora-agent2"),
        delay_weights=(0.40, 0.25, 0.13, 0.12, 0.10),
        waiting_share=0.55,
        resume_shipping_days_ago=12,
    ),
    StoreSpec(
        key="bazaar",
        name="Bazaar Home",
        tier="basic",
        timezone="Asia/Shanghai",
        buyers=120,
        conversations=90,
        amount_range=(450, 8900),
        agents=("bazaar-agent1", "bazaar-agent2"),
        delay_weights=(0.20, 0.22, 0.18, 0.20, 0.20),
        waiting_share=0.75,
        resume_shipping_days_ago=5,
    ),
)

DELAY_BUCKETS = (
    (timedelta(minutes=4), timedelta(minutes=55)),
    (timedelta(hours=1), timedelta(hours=4)),
    (timedelta(hours=4), timedelta(hours=8)),
    (timedelta(hours=8), timedelta(hours=23, minutes=50)),
    (timedelta(hours=24, minutes=10), timedelta(hours=70)),
)

# country: (locale, weight)
COUNTRIES = {
    "US": ("en_US", 14),
    "GB": ("en_GB", 5),
    "SA": ("ar_SA", 5),
    "AE": ("ar_AE", 3),
    "EG": ("ar_EG", 4),
    "ES": ("es_ES", 8),
    "MX": ("es_MX", 6),
    "FR": ("fr_FR", 8),
    "IL": ("he_IL", 5),
    "KR": ("ko_KR", 6),
    "PL": ("pl_PL", 8),
    "BR": ("pt_BR", 12),
    "RU": ("ru_RU", 16),
}

# Names in the buyers' own scripts. (first names female, first names male, surnames [or (m, f) pairs]).
NAMES = {
    "US": (
        ("Emily", "Olivia", "Ashley", "Jessica", "Megan", "Hannah", "Madison", "Rachel"),
        ("James", "Michael", "David", "Chris", "Brian", "Tyler", "Kevin", "Ryan"),
        (
            "Johnson",
            "Miller",
            "Davis",
            "Garcia",
            "Thompson",
            "Robinson",
            "Walker",
            "Carter",
            "Mitchell",
            "Nguyen",
        ),
    ),
    "GB": (
        ("Amelia", "Isla", "Poppy", "Charlotte", "Freya", "Sophie"),
        ("Oliver", "Harry", "George", "Jack", "Alfie", "Callum"),
        ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Hughes", "Wright", "Clarke", "Patel"),
    ),
    "SA": (
        ("سارة", "نورة", "ريم", "لمى", "هيفاء"),
        ("محمد", "عبدالله", "فهد", "خالد", "سلطان", "تركي"),
        ("العتيبي", "القحطاني", "الشهري", "الدوسري", "الغامدي", "الحربي"),
    ),
    "AE": (
        ("مريم", "شما", "فاطمة", "عائشة"),
        ("أحمد", "حمدان", "راشد", "سعيد"),
        ("المنصوري", "الكتبي", "الشامسي", "النعيمي", "المهيري", "الظاهري"),
    ),
    "EG": (
        ("ياسمين", "منة", "هبة", "نهى", "دينا"),
        ("مصطفى", "عمر", "كريم", "أحمد", "محمود"),
        ("حسن", "إبراهيم", "السيد", "فؤاد", "سالم", "منصور", "عبد الحميد"),
    ),
    "ES": (
        ("Lucía", "Carmen", "Marta", "Elena", "Paula", "Nuria"),
        ("Javier", "Alejandro", "Pablo", "Sergio", "Álvaro", "Jorge"),
        ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz"),
    ),
    "MX": (
        ("Sofía", "Valeria", "Fernanda", "Daniela", "Alejandra", "Guadalupe"),
        ("Diego", "José Luis", "Luis", "Juan Carlos", "Emiliano", "Ricardo"),
        ("Hernández", "González", "Ramírez", "Flores", "Cruz", "Morales", "Reyes", "Castillo"),
    ),
    "FR": (
        ("Camille", "Chloé", "Manon", "Léa", "Inès", "Juliette"),
        ("Louis", "Hugo", "Lucas", "Thomas", "Julien", "Mathéo"),
        ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Girard", "Roux", "Fontaine"),
    ),
    "IL": (
        ("נועה", "תמר", "מיכל", "שירה", "יעל"),
        ("יוסי", "איתי", "אורי", "דניאל", "עומר"),
        ("כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברהם", "פרידמן", "שפירא"),
    ),
    "KR": (
        ("서연", "하은", "수빈", "지민", "예린"),
        ("민준", "지훈", "도윤", "예준", "현우"),
        ("김", "이", "박", "최", "정", "강", "조", "윤"),
    ),
    "PL": (
        ("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Zofia", "Joanna"),
        ("Piotr", "Tomasz", "Paweł", "Michał", "Krzysztof", "Jakub"),
        (
            ("Kowalski", "Kowalska"),
            ("Nowak", "Nowak"),
            ("Wiśniewski", "Wiśniewska"),
            ("Wójcik", "Wójcik"),
            ("Lewandowski", "Lewandowska"),
            ("Zieliński", "Zielińska"),
            ("Kamiński", "Kamińska"),
        ),
    ),
    "BR": (
        ("Ana Clara", "Mariana", "Beatriz", "Juliana", "Larissa", "Camila"),
        ("João", "Lucas", "Gabriel", "Rafael", "Pedro", "Matheus"),
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida", "Ferreira"),
    ),
    "RU": (
        ("Ольга", "Анастасия", "Екатерина", "Наталья", "Мария", "Ирина"),
        ("Дмитрий", "Сергей", "Алексей", "Иван", "Андрей", "Михаил"),
        (
            ("Иванов", "Иванова"),
            ("Смирнов", "Смирнова"),
            ("Кузнецов", "Кузнецова"),
            ("Попов", "Попова"),
            ("Волков", "Волкова"),
            ("Соколов", "Соколова"),
            ("Лебедев", "Лебедева"),
            ("Морозов", "Морозова"),
        ),
    ),
}

# What buyers write, by topic and language ({order} is the order number).
BUYER_TEXTS = {
    "payment": {
        "en": "I placed the order but the payment didn't go through. If I pay today, will you still ship it this week?",
        "ar": "قمت بالطلب لكن الدفع لم يتم. إذا دفعت اليوم، هل ستشحنونه هذا الأسبوع؟",
        "es": "Hice el pedido pero el pago no se completó. Si pago hoy, ¿lo enviarán esta semana?",
        "fr": "J'ai passé la commande mais le paiement n'est pas passé. Si je paie aujourd'hui, "
        "sera-t-elle expédiée cette semaine ?",
        "he": "ביצעתי הזמנה אבל התשלום לא עבר. אם אשלם היום, תשלחו אותה השבוע?",
        "ko": "주문은 했는데 결제가 안 됐어요. 오늘 결제하면 이번 주 안에 발송되나요?",
        "pl": "Złożyłem zamówienie, ale płatność nie przeszła. Jeśli zapłacę dzisiaj, czy wyślecie je w tym tygodniu?",
        "pt-BR": "Fiz o pedido mas o pagamento não foi aprovado. Se eu pagar hoje, vocês enviam ainda esta semana?",
        "ru": "Я оформил заказ, но оплата не прошла. Если оплачу сегодня, отправите на этой неделе?",
    },
    "ship_when": {
        "en": "Hi, I paid three days ago. When will you ship my order {order}?",
        "ar": "مرحبًا، دفعت قبل ثلاثة أيام. متى ستشحنون طلبي {order}؟",
        "es": "Hola, pagué hace tres días. ¿Cuándo van a enviar mi pedido {order}?",
        "fr": "Bonjour, j'ai payé il y a trois jours. Quand allez-vous expédier ma commande {order} ?",
        "he": "היי, שילמתי לפני שלושה ימים. מתי תשלחו את ההזמנה שלי {order}?",
        "ko": "안녕하세요, 3일 전에 결제했는데 주문 {order} 언제 발송되나요?",
        "pl": "Dzień dobry, zapłaciłem trzy dni temu. Kiedy wyślecie moje zamówienie {order}?",
        "pt-BR": "Oi, paguei há três dias. Quando vocês vão enviar o meu pedido {order}?",
        "ru": "Здравствуйте, я оплатил заказ {order} три дня назад. Когда вы его отправите?",
    },
    "cancel": {
        "en": "Please cancel order {order}, I ordered the wrong model by mistake. It has not shipped yet, right?",
        "ar": "من فضلك ألغِ الطلب {order}، لقد طلبت الموديل الخطأ. لم يتم شحنه بعد، صحيح؟",
        "es": "Por favor, cancelen el pedido {order}, me equivoqué de modelo. Todavía no lo han enviado, ¿verdad?",
        "fr": "Merci d'annuler la commande {order}, je me suis trompé de modèle. "
        "Elle n'est pas encore expédiée, n'est-ce pas ?",
        "he": "בבקשה לבטל את הזמנה {order}, הזמנתי בטעות את הדגם הלא נכון. היא עוד לא נשלחה, נכון?",
        "ko": "주문 {order} 취소해 주세요. 실수로 다른 모델을 주문했어요. 아직 발송 전이죠?",
        "pl": "Proszę anulować zamówienie {order}, przez pomyłkę zamówiłem zły model. Jeszcze nie zostało wysłane, prawda?",
        "pt-BR": "Por favor, cancelem o pedido {order}, comprei o modelo errado por engano. Ainda não foi enviado, né?",
        "ru": "Пожалуйста, отмените заказ {order}, я по ошибке выбрал не ту модель. Он ведь ещё не отправлен?",
    },
    "where": {
        "en": "Hi, where is my order {order}? The tracking hasn't updated for a week and I need it soon.",
        "ar": "مرحبا، أين طلبي رقم {order}؟ لم يتم تحديث التتبع منذ أسبوع وأحتاجه قريبًا.",
        "es": "Hola, ¿dónde está mi pedido {order}? El seguimiento no se actualiza desde hace una semana "
        "y lo necesito pronto.",
        "fr": "Bonjour, où en est ma commande {order} ? Le suivi n'a pas bougé depuis une semaine "
        "et j'en ai besoin rapidement.",
        "he": "שלום, איפה ההזמנה שלי {order}? המעקב לא התעדכן כבר שבוע ואני צריך אותה בקרוב.",
        "ko": "안녕하세요, 주문 {order} 어디쯤 왔나요? 배송 조회가 일주일째 업데이트되지 않아서 걱정돼요.",
        "pl": "Dzień dobry, gdzie jest moje zamówienie {order}? Śledzenie przesyłki nie zmieniło się od tygodnia, "
        "a potrzebuję go szybko.",
        "pt-BR": "Olá, cadê o meu pedido {order}? O rastreamento não atualiza há uma semana e eu preciso dele logo.",
        "ru": "Здравствуйте, где мой заказ {order}? Трек-номер не обновляется уже неделю, а посылка нужна срочно.",
    },
    "delay": {
        "en": "My order was supposed to arrive last week and it is still not here. Why is the delivery taking so long?",
        "ar": "كان من المفترض أن يصل طلبي الأسبوع الماضي ولم يصل حتى الآن. لماذا يتأخر التوصيل كل هذا الوقت؟",
        "es": "Mi pedido tenía que llegar la semana pasada y todavía no ha llegado. ¿Por qué tarda tanto el envío?",
        "fr": "Ma commande devait arriver la semaine dernière et je ne l'ai toujours pas reçue. "
        "Pourquoi la livraison prend-elle autant de temps ?",
        "he": "ההזמנה הייתה אמורה להגיע בשבוע שעבר ועדיין לא הגיעה. למה המשלוח לוקח כל כך הרבה זמן?",
        "ko": "지난주에 도착해야 했는데 아직도 안 왔어요. 배송이 왜 이렇게 오래 걸리나요?",
        "pl": "Zamówienie miało dotrzeć w zeszłym tygodniu, a nadal go nie ma. Dlaczego dostawa trwa tak długo?",
        "pt-BR": "Meu pedido deveria ter chegado na semana passada e ainda não chegou. "
        "Por que a entrega está demorando tanto?",
        "ru": "Заказ должен был прийти на прошлой неделе, но его до сих пор нет. Почему доставка так задерживается?",
    },
    "refuse": {
        "en": "I don't need this order anymore. Can I refuse the parcel when it arrives and get a refund?",
        "ar": "لم أعد بحاجة إلى هذا الطلب. هل يمكنني رفض الطرد عند وصوله واسترداد المبلغ؟",
        "es": "Ya no necesito este pedido. ¿Puedo rechazar el paquete cuando llegue y recibir el reembolso?",
        "fr": "Je n'ai plus besoin de cette commande. Puis-je refuser le colis à la livraison et être remboursé ?",
        "he": "אני כבר לא צריך את ההזמנה הזאת. אפשר לסרב לקבל את החבילה כשהיא תגיע ולקבל החזר כספי?",
        "ko": "이 주문은 더 이상 필요 없어요. 택배가 도착하면 수취 거부하고 환불받을 수 있나요?",
        "pl": "Nie potrzebuję już tego zamówienia. Czy mogę odmówić przyjęcia paczki i dostać zwrot pieniędzy?",
        "pt-BR": "Não preciso mais desse pedido. Posso recusar o pacote quando chegar e receber o reembolso?",
        "ru": "Мне больше не нужен этот заказ. Могу я отказаться от посылки при получении и вернуть деньги?",
    },
    "border": {
        "ru": "Посылка уже две недели на таможне, статус «прибыла на границу РФ» и больше ничего. "
        "Что происходит и когда её передадут Почте России?",
    },
    "protect": {
        "en": "The buyer protection on my order ends in a few days but the parcel still hasn't arrived. "
        "Can you extend it please?",
        "ar": "ستنتهي فترة حماية المشتري لطلبي خلال أيام قليلة والطرد لم يصل بعد. هل يمكنكم تمديدها من فضلكم؟",
        "es": "La protección del comprador de mi pedido termina en unos días y el paquete aún no ha llegado. "
        "¿Pueden ampliarla, por favor?",
        "fr": "La protection acheteur de ma commande se termine dans quelques jours et le colis n'est toujours pas "
        "arrivé. Pouvez-vous la prolonger, s'il vous plaît ?",
        "he": "הגנת הקונה על ההזמנה שלי מסתיימת בעוד כמה ימים והחבילה עדיין לא הגיעה. אפשר להאריך אותה בבקשה?",
        "ko": "구매자 보호 기간이 며칠 후에 끝나는데 택배가 아직 안 왔어요. 기간을 연장해 주실 수 있나요?",
        "pl": "Ochrona kupującego dla mojego zamówienia kończy się za kilka dni, a paczka wciąż nie dotarła. "
        "Czy możecie ją przedłużyć?",
        "pt-BR": "A proteção do comprador do meu pedido termina em poucos dias e o pacote ainda não chegou. "
        "Vocês podem estender, por favor?",
        "ru": "Защита покупателя по заказу заканчивается через несколько дней, а посылка так и не пришла. "
        "Продлите, пожалуйста, срок защиты.",
    },
    "partial": {
        "en": "I only received one of the two parcels for order {order}. When will the rest be shipped?",
        "ar": "استلمت طردًا واحدًا فقط من طردين للطلب {order}. متى سيتم شحن الباقي؟",
        "es": "Solo he recibido uno de los dos paquetes del pedido {order}. ¿Cuándo enviarán el resto?",
        "fr": "Je n'ai reçu qu'un des deux colis de la commande {order}. Quand le reste sera-t-il expédié ?",
        "he": "קיבלתי רק אחת משתי החבילות של הזמנה {order}. מתי תשלחו את השאר?",
        "ko": "주문 {order}의 택배 두 개 중 하나만 받았어요. 나머지는 언제 발송되나요?",
        "pl": "Dostałem tylko jedną z dwóch paczek z zamówienia {order}. Kiedy wyślecie resztę?",
        "pt-BR": "Recebi só um dos dois pacotes do pedido {order}. Quando vocês vão enviar o resto?",
        "ru": "Я получил только одну из двух посылок по заказу {order}. Когда отправите остальное?",
    },
    "return": {
        "en": "The item arrived damaged and the box was crushed. I'd like to return it, how do I do that?",
        "ar": "وصل المنتج تالفًا وكانت العلبة مهشمة. أريد إرجاعه، كيف أفعل ذلك؟",
        "es": "El artículo llegó dañado y la caja estaba aplastada. Quiero devolverlo, ¿cómo lo hago?",
        "fr": "L'article est arrivé abîmé et le carton était écrasé. Je voudrais le retourner, comment faire ?",
        "he": "המוצר הגיע פגום והקופסה הייתה מעוכה. אני רוצה להחזיר אותו, איך עושים את זה?",
        "ko": "상품이 파손된 채로 왔고 박스도 찌그러져 있었어요. 반품하고 싶은데 어떻게 하면 되나요?",
        "pl": "Produkt dotarł uszkodzony, a karton był zgnieciony. Chcę go zwrócić, jak to zrobić?",
        "pt-BR": "O produto chegou danificado e a caixa estava amassada. Quero devolver, como faço?",
        "ru": "Товар пришёл повреждённым, коробка была смята. Хочу вернуть его — как это сделать?",
    },
    "thanks": {
        "en": "Thank you for the quick help! The parcel arrived and everything works.",
        "ar": "شكرًا على المساعدة السريعة! وصل الطرد وكل شيء يعمل.",
        "es": "¡Gracias por la ayuda! El paquete llegó y todo está bien.",
        "fr": "Merci pour votre aide ! Le colis est arrivé, tout est parfait.",
        "he": "תודה על העזרה המהירה! החבילה הגיעה והכול תקין.",
        "ko": "빠른 도움 감사합니다! 택배 잘 받았고 모두 괜찮아요.",
        "pl": "Dziękuję za szybką pomoc! Paczka dotarła, wszystko w porządku.",
        "pt-BR": "Obrigado pela ajuda rápida! O pacote chegou e está tudo certo.",
        "ru": "Спасибо за быструю помощь! Посылка пришла, всё в порядке.",
    },
    "refund": {
        "en": "My order was cancelled but I haven't received the refund yet. When will the money be back?",
        "ar": "تم إلغاء طلبي لكنني لم أستلم المبلغ المسترد بعد. متى سيعود المال؟",
        "es": "Mi pedido fue cancelado pero todavía no he recibido el reembolso. ¿Cuándo me devolverán el dinero?",
        "fr": "Ma commande a été annulée mais je n'ai pas encore reçu le remboursement. "
        "Quand vais-je récupérer l'argent ?",
        "he": "ההזמנה שלי בוטלה אבל עדיין לא קיבלתי את ההחזר. מתי הכסף יחזור?",
        "ko": "주문이 취소됐는데 아직 환불을 못 받았어요. 언제 환불되나요?",
        "pl": "Moje zamówienie zostało anulowane, ale nie dostałem jeszcze zwrotu. Kiedy pieniądze wrócą?",
        "pt-BR": "Meu pedido foi cancelado mas ainda não recebi o reembolso. Quando o dinheiro vai voltar?",
        "ru": "Мой заказ отменили, но деньги до сих пор не вернулись. Когда ждать возврат?",
    },
    "followup": {
        "en": "Any news about my parcel? The tracking still shows the same status.",
        "ar": "هل من جديد بخصوص طردي؟ ما زال التتبع يظهر نفس الحالة.",
        "es": "¿Alguna novedad sobre mi paquete? El seguimiento sigue mostrando el mismo estado.",
        "fr": "Du nouveau pour mon colis ? Le suivi affiche toujours le même statut.",
        "he": "יש חדש לגבי החבילה שלי? המעקב עדיין מראה את אותו סטטוס.",
        "ko": "제 택배 관련해서 혹시 소식 있나요? 배송 조회가 아직 같은 상태예요.",
        "pl": "Czy są jakieś wieści o mojej paczce? Śledzenie nadal pokazuje ten sam status.",
        "pt-BR": "Alguma novidade sobre o meu pacote? O rastreamento continua mostrando o mesmo status.",
        "ru": "Есть новости по моей посылке? Трек до сих пор показывает тот же статус.",
    },
    "comment": {
        "en": "Does this come with a warranty, and does it ship from a local warehouse? I need it before the holidays.",
        "ar": "هل يأتي هذا المنتج مع ضمان، وهل يُشحن من مستودع محلي؟ أحتاجه قبل العطلة.",
        "es": "¿Este producto tiene garantía y se envía desde un almacén local? Lo necesito antes de las fiestas.",
        "fr": "Ce produit est-il garanti et est-il expédié depuis un entrepôt local ? J'en ai besoin avant les fêtes.",
        "he": "יש למוצר הזה אחריות, והוא נשלח ממחסן מקומי? אני צריך אותו לפני החג.",
        "ko": "이 제품 보증이 되나요? 국내 창고에서 발송되나요? 연휴 전에 받아야 해서요.",
        "pl": "Czy ten produkt ma gwarancję i czy jest wysyłany z magazynu w Polsce? Potrzebuję go przed świętami.",
        "pt-BR": "Esse produto tem garantia e é enviado de um armazém no Brasil? Preciso dele antes das festas.",
        "ru": "На этот товар есть гарантия? Отправляете со склада в России? Нужно успеть до праздников.",
    },
    "dispute_missing": {
        "en": "I opened a dispute: the parcel has been stuck for over a month and the tracking shows nothing. "
        "I want a full refund.",
        "ar": "فتحت نزاعًا: الطرد عالق منذ أكثر من شهر والتتبع لا يظهر أي شيء. أريد استرداد المبلغ كاملًا.",
        "es": "Abrí una disputa: el paquete lleva más de un mes parado y el seguimiento no muestra nada. "
        "Quiero el reembolso completo.",
        "fr": "J'ai ouvert un litige : le colis est bloqué depuis plus d'un mois et le suivi n'indique rien. "
        "Je demande un remboursement complet.",
        "he": "פתחתי מחלוקת: החבילה תקועה כבר יותר מחודש והמעקב לא מראה כלום. אני רוצה החזר כספי מלא.",
        "ko": "분쟁을 신청했어요. 택배가 한 달 넘게 멈춰 있고 배송 조회에 아무것도 안 나와요. 전액 환불을 원합니다.",
        "pl": "Otworzyłem spór: paczka od ponad miesiąca stoi w miejscu, a śledzenie nic nie pokazuje. "
        "Chcę pełnego zwrotu pieniędzy.",
        "pt-BR": "Abri uma disputa: o pacote está parado há mais de um mês e o rastreamento não mostra nada. "
        "Quero o reembolso total.",
        "ru": "Открыл спор: посылка больше месяца стоит на месте, трек ничего не показывает. "
        "Требую полный возврат средств.",
    },
    "dispute_quality": {
        "en": "I opened a dispute: the item is not as described, the color and size are different from the photos.",
        "ar": "فتحت نزاعًا: المنتج لا يطابق الوصف، اللون والمقاس مختلفان عن صور المنتج.",
        "es": "Abrí una disputa: el artículo no es como se describe, el color y la talla son distintos a los de las fotos.",
        "fr": "J'ai ouvert un litige : l'article ne correspond pas à la description, la couleur et la taille "
        "sont différentes des photos.",
        "he": "פתחתי מחלוקת: המוצר לא תואם לתיאור, הצבע והגודל שונים מהתמונות.",
        "ko": "분쟁을 신청했어요. 상품이 설명과 달라요. 색상과 사이즈가 상품 사진과 다릅니다.",
        "pl": "Otworzyłem spór: produkt jest niezgodny z opisem, kolor i rozmiar są inne niż na zdjęciach.",
        "pt-BR": "Abri uma disputa: o produto não é como o anunciado, a cor e o tamanho são diferentes das fotos.",
        "ru": "Открыл спор: товар не соответствует описанию, цвет и размер отличаются от фотографий.",
    },
}

# What agents answer, by reply kind and language. Outbound text passes the banned-word guard.
REPLY_TEXTS = {
    "payment": {
        "en": "Sometimes the bank blocks the first payment, please try again or use another card. "
        "Once it goes through, we ship within 48 hours.",
        "ar": "أحيانًا يرفض البنك الدفعة الأولى، يرجى المحاولة مرة أخرى أو استخدام بطاقة أخرى. "
        "بمجرد إتمام الدفع نشحن الطلب خلال 48 ساعة.",
        "es": "A veces el banco bloquea el primer pago: inténtalo de nuevo o usa otra tarjeta. "
        "En cuanto se confirme, lo enviamos en 48 horas.",
        "fr": "Il arrive que la banque bloque le premier paiement : réessayez ou utilisez une autre carte. "
        "Dès qu'il est validé, nous expédions sous 48 heures.",
        "he": "לפעמים הבנק חוסם את התשלום הראשון, נסו שוב או השתמשו בכרטיס אחר. ברגע שהתשלום יעבור, נשלח תוך 48 שעות.",
        "ko": "간혹 은행에서 첫 결제를 차단하는 경우가 있습니다. 다시 시도하시거나 다른 카드를 이용해 주세요. "
        "결제가 완료되면 48시간 이내에 발송해 드립니다.",
        "pl": "Czasem bank blokuje pierwszą płatność, spróbuj ponownie lub użyj innej karty. "
        "Gdy tylko płatność przejdzie, wyślemy zamówienie w ciągu 48 godzin.",
        "pt-BR": "Às vezes o banco bloqueia o primeiro pagamento: tente de novo ou use outro cartão. "
        "Assim que for aprovado, enviamos em até 48 horas.",
        "ru": "Иногда банк блокирует первый платёж — попробуйте ещё раз или оплатите другой картой. "
        "Как только оплата пройдёт, отправим заказ в течение 48 часов.",
    },
    "ship_soon": {
        "en": "Thank you for your patience! Your order is packed and will be handed to the carrier within 48 hours. "
        "You'll get the tracking number as soon as it ships.",
        "ar": "شكرًا لصبرك! تم تجهيز طلبك وسيتم تسليمه لشركة الشحن خلال 48 ساعة. سيصلك رقم التتبع فور الشحن.",
        "es": "¡Gracias por tu paciencia! Tu pedido ya está preparado y lo entregaremos al transportista en las "
        "próximas 48 horas. Recibirás el número de seguimiento en cuanto salga.",
        "fr": "Merci de votre patience ! Votre commande est emballée et sera remise au transporteur sous 48 heures. "
        "Vous recevrez le numéro de suivi dès l'expédition.",
        "he": "תודה על הסבלנות! ההזמנה שלך ארוזה ותימסר לחברת השילוח תוך 48 שעות. מספר המעקב יישלח אליך מיד עם המשלוח.",
        "ko": "기다려 주셔서 감사합니다! 주문하신 상품은 포장이 완료되었으며 48시간 이내에 택배사로 인계됩니다. "
        "발송되면 바로 운송장 번호를 알려 드릴게요.",
        "pl": "Dziękujemy za cierpliwość! Zamówienie jest spakowane i w ciągu 48 godzin przekażemy je przewoźnikowi. "
        "Numer przesyłki wyślemy zaraz po nadaniu.",
        "pt-BR": "Obrigado pela paciência! Seu pedido já está embalado e será entregue à transportadora em até "
        "48 horas. Você recebe o código de rastreio assim que for enviado.",
        "ru": "Спасибо за терпение! Заказ уже упакован и будет передан перевозчику в течение 48 часов. "
        "Трек-номер пришлём сразу после отправки.",
    },
    "cancel": {
        "en": "Done, we have cancelled order {order} before shipment. "
        "Any payment goes back to your payment method within 3-7 business days.",
        "ar": "تم، ألغينا الطلب {order} قبل الشحن. سيعاد أي مبلغ مدفوع إلى وسيلة الدفع الخاصة بك خلال 3 إلى 7 أيام عمل.",
        "es": "Listo: hemos cancelado el pedido {order} antes del envío. "
        "Cualquier pago vuelve a tu método de pago en 3-7 días hábiles.",
        "fr": "C'est fait : nous avons annulé la commande {order} avant l'expédition. "
        "Tout paiement vous sera remboursé sous 3 à 7 jours ouvrés.",
        "he": "בוצע, ביטלנו את הזמנה {order} לפני המשלוח. כל תשלום יחזור לאמצעי התשלום שלך תוך 3-7 ימי עסקים.",
        "ko": "주문 {order}을(를) 발송 전에 취소해 드렸습니다. 결제 금액은 영업일 기준 3~7일 이내에 결제 수단으로 환불됩니다.",
        "pl": "Gotowe, anulowaliśmy zamówienie {order} przed wysyłką. "
        "Ewentualna płatność wróci na Twoje konto w ciągu 3-7 dni roboczych.",
        "pt-BR": "Pronto, cancelamos o pedido {order} antes do envio. "
        "Qualquer pagamento volta para o seu meio de pagamento em 3 a 7 dias úteis.",
        "ru": "Готово — мы отменили заказ {order} до отправки. "
        "Оплата вернётся на ваш способ оплаты в течение 3–7 рабочих дней.",
    },
    "tracking": {
        "en": "Hello! We checked your order: the parcel is on its way and the carrier shows it in the destination "
        "country. It usually takes 5-7 more days; we'll keep an eye on it for you.",
        "ar": "مرحبًا! تحققنا من طلبك: الطرد في الطريق وتظهر شركة الشحن أنه وصل إلى بلد الوجهة. "
        "يستغرق عادةً من 5 إلى 7 أيام أخرى، وسنتابعه من أجلك.",
        "es": "¡Hola! Hemos revisado tu pedido: el paquete está en camino y el transportista indica que ya está en "
        "tu país. Suele tardar de 5 a 7 días más; lo seguiremos de cerca.",
        "fr": "Bonjour ! Nous avons vérifié votre commande : le colis est en route et le transporteur indique qu'il "
        "est arrivé dans votre pays. Comptez encore 5 à 7 jours ; nous le suivons pour vous.",
        "he": "שלום! בדקנו את ההזמנה שלך: החבילה בדרך וחברת השילוח מראה שהיא כבר בארץ היעד. "
        "בדרך כלל זה לוקח עוד 5-7 ימים, ואנחנו עוקבים אחריה בשבילך.",
        "ko": "안녕하세요! 주문을 확인해 보니 택배는 현재 배송 중이며 이미 고객님 국가에 도착했습니다. "
        "보통 5~7일 정도 더 걸리며, 계속 확인해 드리겠습니다.",
        "pl": "Dzień dobry! Sprawdziliśmy zamówienie: paczka jest w drodze i według przewoźnika dotarła już do "
        "Polski. Zwykle trwa to jeszcze 5-7 dni, będziemy ją monitorować.",
        "pt-BR": "Olá! Verificamos o seu pedido: o pacote está a caminho e a transportadora mostra que já chegou "
        "ao Brasil. Normalmente leva mais 5 a 7 dias; vamos acompanhar para você.",
        "ru": "Здравствуйте! Мы проверили заказ: посылка в пути, по данным перевозчика она уже в стране "
        "назначения. Обычно это ещё 5–7 дней, мы следим за ней.",
    },
    "refuse": {
        "en": "You can refuse the parcel at delivery: it comes back to us and we refund you as soon as it arrives. "
        "Or keep it, and we'll send you a store coupon for your next order.",
        "ar": "يمكنك رفض استلام الطرد عند التوصيل، وسيعود إلينا ونرد لك المبلغ فور وصوله. "
        "أو احتفظ به وسنرسل لك قسيمة متجر لطلبك القادم.",
        "es": "Puedes rechazar el paquete en la entrega: volverá a nosotros y te reembolsaremos en cuanto llegue. "
        "O quédatelo y te enviaremos un cupón de la tienda para tu próxima compra.",
        "fr": "Vous pouvez refuser le colis à la livraison : il nous sera retourné et nous vous rembourserons dès "
        "sa réception. Ou gardez-le, et nous vous enverrons un coupon de la boutique pour votre prochaine commande.",
        "he": "אפשר לסרב לקבל את החבילה במסירה: היא תחזור אלינו ונחזיר לך את הכסף ברגע שתגיע. "
        "או שאפשר לשמור אותה ונשלח לך קופון לחנות להזמנה הבאה.",
        "ko": "배송 시 수취 거부하시면 상품이 저희에게 반송되고, 반송이 확인되는 즉시 환불해 드립니다. "
        "원하시면 상품을 받으시고 다음 주문에 쓸 수 있는 스토어 쿠폰을 보내 드릴게요.",
        "pl": "Możesz odmówić przyjęcia paczki przy doręczeniu: wróci do nas, a zwrot zrobimy od razu po jej "
        "otrzymaniu. Albo zatrzymaj ją, a wyślemy Ci kupon sklepowy na kolejne zakupy.",
        "pt-BR": "Você pode recusar o pacote na entrega: ele volta para nós e fazemos o reembolso assim que chegar. "
        "Ou fique com ele e enviamos um cupom da loja para a próxima compra.",
        "ru": "Вы можете отказаться от посылки при получении: она вернётся к нам, и мы вернём деньги сразу после "
        "её получения. Или оставьте товар, а мы пришлём купон магазина на следующий заказ.",
    },
    "border": {
        "ru": "Здравствуйте! Посылка прошла границу и сейчас на таможенном оформлении. Из-за большой нагрузки "
        "на таможне сроки выросли на 7–10 дней, после этого её передадут Почте России. Мы следим за статусом.",
    },
    "protect": {
        "en": "We have extended the buyer protection on your order by 15 days, "
        "so you stay covered while the parcel is on its way.",
        "ar": "قمنا بتمديد فترة حماية المشتري لطلبك 15 يومًا، لتبقى محميًا بينما الطرد في الطريق.",
        "es": "Hemos ampliado 15 días la protección del comprador de tu pedido, "
        "así sigues cubierto mientras el paquete está en camino.",
        "fr": "Nous avons prolongé de 15 jours la protection acheteur de votre commande : "
        "vous restez couvert pendant l'acheminement du colis.",
        "he": "הארכנו את הגנת הקונה על ההזמנה שלך ב-15 ימים, כך שאתה מוגן בזמן שהחבילה בדרך.",
        "ko": "고객님 주문의 구매자 보호 기간을 15일 연장해 드렸습니다. 택배가 도착할 때까지 계속 보호받으실 수 있습니다.",
        "pl": "Przedłużyliśmy ochronę kupującego dla Twojego zamówienia o 15 dni, "
        "więc jesteś chroniony, dopóki paczka jest w drodze.",
        "pt-BR": "Estendemos a proteção do comprador do seu pedido em 15 dias, "
        "assim você continua protegido enquanto o pacote está a caminho.",
        "ru": "Мы продлили защиту покупателя по вашему заказу на 15 дней — вы защищены, пока посылка в пути.",
    },
    "partial": {
        "en": "Your order was shipped in two parcels. The second one left our warehouse two days after the first "
        "and should reach you within a week.",
        "ar": "تم شحن طلبك في طردين. غادر الطرد الثاني مستودعنا بعد يومين من الأول ومن المتوقع أن يصلك خلال أسبوع.",
        "es": "Tu pedido se envió en dos paquetes. El segundo salió de nuestro almacén dos días después del primero "
        "y debería llegarte en una semana.",
        "fr": "Votre commande a été expédiée en deux colis. Le second a quitté notre entrepôt deux jours après le "
        "premier et devrait arriver d'ici une semaine.",
        "he": "ההזמנה שלך נשלחה בשתי חבילות. החבילה השנייה יצאה מהמחסן יומיים אחרי הראשונה ואמורה להגיע תוך שבוע.",
        "ko": "주문하신 상품은 두 개의 택배로 나뉘어 발송되었습니다. "
        "두 번째 택배는 첫 번째보다 이틀 늦게 출고되었으며 일주일 이내에 도착할 예정입니다.",
        "pl": "Zamówienie zostało wysłane w dwóch paczkach. Druga opuściła nasz magazyn dwa dni po pierwszej "
        "i powinna dotrzeć w ciągu tygodnia.",
        "pt-BR": "Seu pedido foi enviado em dois pacotes. O segundo saiu do nosso armazém dois dias depois do "
        "primeiro e deve chegar em até uma semana.",
        "ru": "Ваш заказ отправлен двумя посылками. Вторая ушла с нашего склада через два дня после первой "
        "и придёт в течение недели.",
    },
    "return": {
        "en": "We're sorry the item arrived damaged. Please open a return request on the order page with a photo of "
        "the item and the box; we cover the return shipping and refund as soon as it's approved.",
        "ar": "نأسف لوصول المنتج تالفًا. يرجى فتح طلب إرجاع من صفحة الطلب مع صورة للمنتج والعلبة، "
        "ونحن نتحمل تكلفة الشحن ونرد المبلغ فور الموافقة.",
        "es": "Sentimos que el artículo llegara dañado. Abre una solicitud de devolución en la página del pedido con "
        "una foto del artículo y de la caja; pagamos el envío de vuelta y te reembolsamos en cuanto se apruebe.",
        "fr": "Nous sommes désolés que l'article soit arrivé abîmé. Ouvrez une demande de retour depuis la page de la "
        "commande avec une photo de l'article et du carton ; nous prenons en charge le retour et remboursons "
        "dès validation.",
        "he": "מצטערים שהמוצר הגיע פגום. נא לפתוח בקשת החזרה בעמוד ההזמנה עם תמונה של המוצר והקופסה; "
        "אנחנו משלמים על משלוח ההחזרה ומחזירים את הכסף מיד עם האישור.",
        "ko": "상품이 파손되어 도착해 죄송합니다. 주문 페이지에서 상품과 박스 사진을 첨부해 반품을 신청해 주세요. "
        "반품 배송비는 저희가 부담하며 승인되는 즉시 환불해 드립니다.",
        "pl": "Przykro nam, że produkt dotarł uszkodzony. Złóż wniosek o zwrot na stronie zamówienia ze zdjęciem "
        "produktu i kartonu; pokrywamy koszt odesłania i zwracamy pieniądze od razu po akceptacji.",
        "pt-BR": "Sentimos muito que o produto chegou danificado. Abra uma solicitação de devolução na página do "
        "pedido com uma foto do produto e da caixa; pagamos o frete de volta e reembolsamos assim que for aprovada.",
        "ru": "Нам очень жаль, что товар пришёл повреждённым. Оформите, пожалуйста, возврат на странице заказа "
        "и приложите фото товара и коробки; доставку обратно оплачиваем мы, деньги вернём сразу после одобрения.",
    },
    "thanks": {
        "en": "Great to hear it arrived safely! Thank you for shopping with us, enjoy it.",
        "ar": "يسعدنا أنه وصل بأمان! شكرًا لتسوقك معنا، نتمنى أن ينال إعجابك.",
        "es": "¡Qué bien que llegó sin problemas! Gracias por comprar con nosotros, que lo disfrutes.",
        "fr": "Ravis qu'il soit bien arrivé ! Merci pour votre achat, profitez-en bien.",
        "he": "שמחים לשמוע שהכול הגיע בשלום! תודה שקנית אצלנו, תיהנה.",
        "ko": "무사히 도착했다니 다행입니다! 저희 스토어를 이용해 주셔서 감사합니다.",
        "pl": "Cieszymy się, że paczka dotarła cała! Dziękujemy za zakupy i życzymy udanego użytkowania.",
        "pt-BR": "Que bom que chegou tudo certo! Obrigado por comprar com a gente, aproveite.",
        "ru": "Рады, что всё дошло в целости! Спасибо за покупку, пользуйтесь с удовольствием.",
    },
    "refund": {
        "en": "The refund for your cancelled order was issued on our side. "
        "Banks usually need 3-7 business days to show it on your card.",
        "ar": "تم إصدار المبلغ المسترد لطلبك الملغى من جهتنا. يحتاج البنك عادة من 3 إلى 7 أيام عمل لإظهاره في بطاقتك.",
        "es": "El reembolso de tu pedido cancelado ya se emitió por nuestra parte. "
        "Los bancos suelen tardar 3-7 días hábiles en mostrarlo en tu tarjeta.",
        "fr": "Le remboursement de votre commande annulée a été émis de notre côté. "
        "Les banques mettent en général 3 à 7 jours ouvrés pour l'afficher sur votre carte.",
        "he": "ההחזר על ההזמנה שבוטלה כבר בוצע מצדנו. לבנקים לוקח בדרך כלל 3-7 ימי עסקים עד שהוא מופיע בכרטיס.",
        "ko": "취소된 주문의 환불은 저희 쪽에서 이미 처리되었습니다. 카드사에 반영되기까지 보통 영업일 기준 3~7일이 걸립니다.",
        "pl": "Zwrot za anulowane zamówienie został już zlecony po naszej stronie. "
        "Banki zwykle potrzebują 3-7 dni roboczych, aby pojawił się na karcie.",
        "pt-BR": "O reembolso do seu pedido cancelado já foi emitido da nossa parte. "
        "Os bancos costumam levar de 3 a 7 dias úteis para mostrar no cartão.",
        "ru": "Возврат по отменённому заказу с нашей стороны уже оформлен. "
        "Обычно банку нужно 3–7 рабочих дней, чтобы деньги появились на карте.",
    },
    "update": {
        "en": "Sorry for the wait! We contacted the carrier today; your parcel is moving again and we'll message "
        "you as soon as there is a new status.",
        "ar": "نعتذر عن الانتظار! تواصلنا مع شركة الشحن اليوم، والطرد يتحرك مجددًا وسنراسلك فور ظهور حالة جديدة.",
        "es": "¡Perdona la espera! Hoy hemos contactado con el transportista; tu paquete vuelve a moverse y te "
        "escribiremos en cuanto haya un nuevo estado.",
        "fr": "Désolés pour l'attente ! Nous avons contacté le transporteur aujourd'hui ; votre colis avance de "
        "nouveau et nous vous écrirons dès qu'il y aura du nouveau.",
        "he": "מצטערים על ההמתנה! פנינו היום לחברת השילוח, החבילה שוב בתנועה ונעדכן אותך ברגע שיהיה סטטוס חדש.",
        "ko": "기다리게 해서 죄송합니다! 오늘 택배사에 확인했고 택배가 다시 이동 중입니다. 새로운 상태가 나오면 바로 알려 드릴게요.",
        "pl": "Przepraszamy za zwłokę! Skontaktowaliśmy się dziś z przewoźnikiem, paczka znów jest w drodze "
        "i napiszemy, gdy tylko pojawi się nowy status.",
        "pt-BR": "Desculpe a demora! Falamos com a transportadora hoje, seu pacote voltou a andar e avisamos "
        "assim que houver um novo status.",
        "ru": "Извините за ожидание! Сегодня мы связались с перевозчиком: посылка снова в движении, напишем, "
        "как только появится новый статус.",
    },
    "comment": {
        "en": "Thanks for your question! It comes with a 12-month warranty. We ship from our main warehouse; "
        "delivery usually takes 10-15 days, so ordering this week is safest.",
        "ar": "شكرًا على سؤالك! يأتي المنتج مع ضمان لمدة 12 شهرًا. نشحن من مستودعنا الرئيسي ويستغرق التوصيل "
        "عادة من 10 إلى 15 يومًا، لذا من الأفضل الطلب هذا الأسبوع.",
        "es": "¡Gracias por tu pregunta! Tiene 12 meses de garantía. Enviamos desde nuestro almacén principal y la "
        "entrega suele tardar 10-15 días, así que lo mejor es pedirlo esta semana.",
        "fr": "Merci pour votre question ! Il est garanti 12 mois. Nous expédions depuis notre entrepôt principal ; "
        "la livraison prend en général 10 à 15 jours, mieux vaut donc commander cette semaine.",
        "he": "תודה על השאלה! למוצר יש אחריות ל-12 חודשים. אנחנו שולחים מהמחסן הראשי שלנו והמשלוח לוקח בדרך כלל "
        "10-15 ימים, אז כדאי להזמין השבוע.",
        "ko": "문의 감사합니다! 12개월 품질 보증이 제공됩니다. 저희 메인 창고에서 발송되며 배송은 보통 10~15일 "
        "걸리니 이번 주에 주문하시는 것이 가장 안전합니다.",
        "pl": "Dziękujemy za pytanie! Produkt ma 12 miesięcy gwarancji. Wysyłamy z naszego głównego magazynu, "
        "dostawa trwa zwykle 10-15 dni, więc najlepiej zamówić w tym tygodniu.",
        "pt-BR": "Obrigado pela pergunta! O produto tem 12 meses de garantia. Enviamos do nosso armazém principal "
        "e a entrega costuma levar de 10 a 15 dias, então o ideal é pedir esta semana.",
        "ru": "Спасибо за вопрос! Гарантия — 12 месяцев. Отправляем с нашего основного склада, доставка обычно "
        "занимает 10–15 дней, так что лучше заказать на этой неделе.",
    },
    "dispute": {
        "en": "We're sorry for the trouble. We've replied in the dispute with the carrier's records and a refund "
        "proposal; please check it and let us know if it works for you.",
        "ar": "نعتذر عن هذه المشكلة. رددنا في النزاع بسجلات شركة الشحن وعرض لاسترداد المبلغ، "
        "يرجى الاطلاع عليه وإخبارنا إن كان مناسبًا لك.",
        "es": "Sentimos las molestias. Hemos respondido en la disputa con los datos del transportista y una "
        "propuesta de reembolso; revísala y dinos si te parece bien.",
        "fr": "Nous sommes désolés pour ce désagrément. Nous avons répondu dans le litige avec les informations du "
        "transporteur et une proposition de remboursement ; dites-nous si elle vous convient.",
        "he": "מצטערים על אי הנוחות. הגבנו במחלוקת עם נתוני חברת השילוח והצעה להחזר כספי; "
        "נא לבדוק ולעדכן אותנו אם זה מתאים לך.",
        "ko": "불편을 드려 죄송합니다. 분쟁 건에 택배사 기록과 환불 제안을 첨부해 답변드렸으니 확인 후 괜찮으신지 알려 주세요.",
        "pl": "Przepraszamy za kłopot. Odpowiedzieliśmy w sporze, dołączając dane przewoźnika i propozycję zwrotu "
        "pieniędzy; daj nam znać, czy Ci odpowiada.",
        "pt-BR": "Pedimos desculpas pelo transtorno. Respondemos na disputa com os dados da transportadora e uma "
        "proposta de reembolso; confira e nos diga se está tudo bem para você.",
        "ru": "Приносим извинения за неудобства. Мы ответили в споре: приложили данные перевозчика и предложение "
        "о возврате средств. Посмотрите, пожалуйста, подходит ли вам.",
    },
}

REPLY_FOR_TOPIC = {
    "payment": "payment",
    "ship_when": "ship_soon",
    "cancel": "cancel",
    "where": "tracking",
    "delay": "tracking",
    "refuse": "refuse",
    "border": "border",
    "protect": "protect",
    "partial": "partial",
    "return": "return",
    "thanks": "thanks",
    "refund": "refund",
    "followup": "update",
    "comment": "comment",
    "dispute_missing": "dispute",
    "dispute_quality": "dispute",
}

# Topics a buyer raises about an order in each status (weights), for the message and chat channels.
TOPICS_BY_STATUS = {
    OrderStatus.AWAITING_PAYMENT: (("payment", 1),),
    OrderStatus.AWAITING_SHIPMENT: (("ship_when", 3), ("cancel", 2)),
    OrderStatus.PARTIALLY_SHIPPED: (("partial", 3), ("where", 1)),
    OrderStatus.IN_TRANSIT: (("where", 4), ("delay", 3), ("refuse", 1), ("protect", 2)),
    OrderStatus.DELIVERED: (("return", 3), ("thanks", 1)),
    OrderStatus.COMPLETED: (("return", 1), ("thanks", 1)),
    OrderStatus.CANCELLED: (("refund", 1),),
}
# Follow-up the buyer sends after an answer, by status (others stop after one exchange).
FOLLOWUP_BY_STATUS = {
    OrderStatus.PARTIALLY_SHIPPED: "followup",
    OrderStatus.IN_TRANSIT: "followup",
    OrderStatus.DELIVERED: "thanks",
    OrderStatus.COMPLETED: "thanks",
}
STATUS_WEIGHTS = (
    (OrderStatus.AWAITING_PAYMENT, 5),
    (OrderStatus.AWAITING_SHIPMENT, 12),
    (OrderStatus.PARTIALLY_SHIPPED, 6),
    (OrderStatus.IN_TRANSIT, 32),
    (OrderStatus.DELIVERED, 15),
    (OrderStatus.COMPLETED, 22),
    (OrderStatus.CANCELLED, 8),
)
CHANNEL_WEIGHTS = ((Channel.MESSAGE, 45), (Channel.CHAT, 35), (Channel.COMMENT, 12), (Channel.DISPUTE, 8))


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    store: str


@dataclass
class DemoStoreResult:
    name: str
    slug: str
    tier: str
    integration_token: str
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class DemoSeedResult:
    stores: list[DemoStoreResult]
    logins: list[DemoLogin]

    @property
    def created_any(self) -> bool:
        return any(s.created for s in self.stores)


@dataclass
class _Turn:
    at: datetime
    topic: str
    image: bool = False
    reply_at: datetime | None = None
    replier: int = 0


@dataclass
class _ConversationPlan:
    buyer: dict
    language: str
    channel: str
    order: dict | None
    turns: list[_Turn]


# ---------------------------------------------------------------- planning (pure; no database)


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def _uniform_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return end
    return start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


def _buyer_name(rng: random.Random, country: str) -> str:
    female, male, surnames = NAMES[country]
    is_female = rng.random() < 0.5
    first = rng.choice(female if is_female else male)
    last = rng.choice(surnames)
    if isinstance(last, tuple):
        last = last[1] if is_female else last[0]
    if country == "KR":
        return f"{last}{first}"
    return f"{first} {last}"


def _plan_buyers(rng: random.Random, spec: StoreSpec, used_ids: set[str]) -> list[dict]:
    countries = [(c, w) for c, (_, w) in COUNTRIES.items()]
    # Every country at least twice, the rest by weight.
    picks = [c for c in COUNTRIES for _ in range(2)]
    picks += [_weighted(rng, countries) for _ in range(spec.buyers - len(picks))]
    buyers = []
    for country in picks:
        buyer_id = f"{rng.randrange(10**9, 10**10)}"
        while buyer_id in used_ids:
            buyer_id = f"{rng.randrange(10**9, 10**10)}"
        used_ids.add(buyer_id)
        locale = COUNTRIES[country][0]
        buyers.append(
            {"buyer_id": buyer_id, "name": _buyer_name(rng, country), "country": country, "locale": locale}
        )
    return buyers


def _plan_order(
    rng: random.Random, spec: StoreSpec, buyer: dict, status: str, now: datetime, order_id: str
) -> dict:
    """Plausible dates for the status: placed, shipped, delivered, protection end (all in the past or near)."""
    day = timedelta(days=1)
    placed = shipped = delivered = protection = None
    if status == OrderStatus.AWAITING_PAYMENT:
        placed = now - rng.uniform(0.1, 3) * day
    elif status == OrderStatus.AWAITING_SHIPMENT:
        placed = now - rng.uniform(1, 8) * day
    elif status == OrderStatus.CANCELLED:
        placed = now - rng.uniform(3, 40) * day
    elif status == OrderStatus.PARTIALLY_SHIPPED:
        placed = now - rng.uniform(6, 20) * day
        shipped = placed + rng.uniform(1, 4) * day
        protection = shipped + rng.randint(45, 75) * day
    elif status == OrderStatus.IN_TRANSIT:
        placed = now - rng.uniform(10, 60) * day
        shipped = placed + rng.uniform(1, 5) * day
        protection = shipped + rng.randint(45, 75) * day
    elif status == OrderStatus.DELIVERED:
        placed = now - rng.uniform(20, 50) * day
        shipped = placed + rng.uniform(1, 4) * day
        delivered = min(shipped + rng.uniform(8, 30) * day, now - 2 * day)
        protection = max(shipped + rng.randint(45, 75) * day, delivered + 15 * day)
    else:  # completed
        placed = now - rng.uniform(40, 120) * day
        shipped = placed + rng.uniform(1, 4) * day
        delivered = shipped + rng.uniform(8, 30) * day
        protection = delivered + 15 * day
    low, high = spec.amount_range
    return {
        "order_id": order_id,
        "buyer": buyer,
        "status": status,
        "placed_at": placed,
        "shipped_at": shipped,
        "delivered_at": delivered,
        "protection_ends_at": protection,
        "amount": Decimal(rng.randint(low, high)) / 100,
        "currency": "USD",
        "overseas_warehouse": buyer["country"] in ("US", "ES", "FR", "PL", "GB") and rng.random() < 0.15,
        "coupon_code": "",
    }


def _topic_anchor(order: dict | None, topic: str, now: datetime) -> datetime:
    """The earliest moment the buyer could plausibly write about ``topic``."""
    if order is None:
        return now - timedelta(days=30)
    day = timedelta(days=1)
    if topic in ("ship_when", "cancel"):
        return order["placed_at"] + day
    if topic == "protect":
        # Recent enough that the protection still runs when the agent extends it (the service refuses ended ones).
        return max(order["shipped_at"] + 7 * day, now - 6 * day)
    if topic in ("where", "delay", "refuse", "border", "dispute_missing"):
        return order["shipped_at"] + 7 * day
    if topic == "partial":
        return order["shipped_at"] + 4 * day
    if topic in ("return", "thanks", "dispute_quality"):
        return order["delivered_at"] + timedelta(hours=6)
    return order["placed_at"] + timedelta(hours=1)


def _plan_turns(
    rng: random.Random,
    spec: StoreSpec,
    first_topic: str,
    followup: str | None,
    anchor: datetime,
    now: datetime,
) -> list[_Turn]:
    """Buyer messages and agent replies over the last 30 days: most answered at various delays, some waiting.

    Only a recent last message (under 4 days old) is left unanswered, so the queue holds a realistic mix of
    overdue and due-soon conversations; older ones were answered, some after more than 24 hours.
    """
    start = max(anchor, now - timedelta(days=30))
    if start < now - MIN_AGO:
        at = _uniform_time(rng, start, now - MIN_AGO)
    else:
        at = now - timedelta(minutes=rng.uniform(5, 60))
    n_turns = _weighted(rng, ((1, 50), (2, 30), (3, 15), (4, 5))) if followup else 1
    turns: list[_Turn] = []
    topic = first_topic
    for index in range(n_turns):
        turn = _Turn(at=at, topic=topic, replier=_weighted(rng, ((0, 1), (1, 5), (2, 4))))
        turns.append(turn)
        is_last = index == n_turns - 1
        if is_last and at > now - timedelta(days=4) and rng.random() < spec.waiting_share:
            break
        low, high = DELAY_BUCKETS[_weighted(rng, zip(range(5), spec.delay_weights, strict=True))]
        reply_at = at + low + (high - low) * rng.random()
        if reply_at >= now - timedelta(minutes=1):
            break
        turn.reply_at = reply_at
        at = reply_at + timedelta(hours=rng.uniform(1, 48))
        if at >= now - MIN_AGO or (followup == "thanks" and topic == "thanks"):
            break
        topic = followup
    return turns


def _plan_store(rng: random.Random, spec: StoreSpec, now: datetime, used_ids: set[str]):
    buyers = _plan_buyers(rng, spec, used_ids)
    browsers = buyers[: len(buyers) // 10]  # only ask product questions in comments, no orders yet
    shoppers = buyers[len(buyers) // 10 :]
    orders: list[dict] = []
    statuses = [s for s, _ in STATUS_WEIGHTS]
    for index, buyer in enumerate(shoppers):
        n_orders = _weighted(rng, ((1, 60), (2, 30), (3, 10)))
        for k in range(n_orders):
            # The first orders cycle through every status so each one is present; then by weight.
            status = (
                statuses[index % len(statuses)]
                if k == 0 and index < 3 * len(statuses)
                else _weighted(rng, STATUS_WEIGHTS)
            )
            order_id = f"81{rng.randrange(10**13, 10**14)}"
            while order_id in used_ids:
                order_id = f"81{rng.randrange(10**13, 10**14)}"
            used_ids.add(order_id)
            orders.append(_plan_order(rng, spec, buyer, status, now, order_id))

    plans: list[_ConversationPlan] = []
    free_orders = orders[:]
    rng.shuffle(free_orders)
    commenters = browsers + rng.sample(shoppers, k=len(browsers))
    # Disputes open from 6 days after shipment until protection ends (R22): only orders still inside that window.
    disputable = [
        o
        for o in free_orders
        if (
            (o["status"] == OrderStatus.IN_TRANSIT and o["shipped_at"] < now - timedelta(days=25))
            or o["status"] == OrderStatus.DELIVERED
        )
        and o["protection_ends_at"] > now + timedelta(days=1)
    ]
    channels = [c for c, _ in CHANNEL_WEIGHTS]
    for index in range(spec.conversations):
        channel = channels[index] if index < len(channels) else _weighted(rng, CHANNEL_WEIGHTS)
        order = None
        if channel == Channel.COMMENT and commenters:
            buyer = commenters.pop()
            topic, followup = "comment", None
        elif channel == Channel.DISPUTE and disputable:
            order = disputable.pop()
            free_orders.remove(order)
            buyer = order["buyer"]
            delivered = order["status"] == OrderStatus.DELIVERED
            topic, followup = ("dispute_quality" if delivered else "dispute_missing"), None
        else:
            channel = channel if channel in (Channel.MESSAGE, Channel.CHAT) else Channel.MESSAGE
            order = free_orders.pop()
            if order in disputable:
                disputable.remove(order)
            buyer = order["buyer"]
            topic = _weighted(rng, TOPICS_BY_STATUS[order["status"]])
            if topic in ("where", "delay") and buyer["country"] == "RU" and rng.random() < 0.5:
                topic = "border"
            followup = FOLLOWUP_BY_STATUS.get(order["status"])
        language = normalize_language(buyer["locale"])
        turns = _plan_turns(rng, spec, topic, followup, _topic_anchor(order, topic, now), now)
        if topic == "return" and rng.random() < 0.4:
            turns[0].image = True
        if topic == "protect" and order is not None:
            # The buyer writes when the protection is about to end; the agent's answer extends it by 15 days.
            order["protection_ends_at"] = max(
                turns[0].at + timedelta(days=rng.uniform(2, 6)), now + timedelta(days=rng.uniform(0.5, 3))
            )
        plans.append(
            _ConversationPlan(buyer=buyer, language=language, channel=channel, order=order, turns=turns)
        )
    return buyers, orders, plans


# ---------------------------------------------------------------- writing (real services)


def _parcel_photo() -> bytes:
    """A small JPEG of a dented parcel, standing in for a buyer's photo."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 360), (236, 232, 224))
    draw = ImageDraw.Draw(img)
    draw.polygon([(90, 120), (390, 110), (400, 300), (80, 310)], fill=(196, 152, 98), outline=(120, 86, 48))
    draw.rectangle([220, 110, 250, 305], fill=(222, 200, 150))
    draw.polygon([(300, 110), (360, 150), (330, 190), (280, 140)], fill=(150, 110, 66))
    draw.line([(300, 200), (340, 230), (320, 260)], fill=(90, 60, 30), width=4)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=82)
    return buf.getvalue()


# The dispute reason the buyer picked, as the marketplace shows it in the buyer's language.
DISPUTE_REASONS = {
    "dispute_missing": {
        "en": "Package not received",
        "ar": "لم يتم استلام الطرد",
        "es": "Paquete no recibido",
        "fr": "Colis non reçu",
        "he": "החבילה לא התקבלה",
        "ko": "상품 미수령",
        "pl": "Paczka nie dotarła",
        "pt-BR": "Pacote não recebido",
        "ru": "Посылка не получена",
    },
    "dispute_quality": {
        "en": "Item not as described",
        "ar": "المنتج لا يطابق الوصف",
        "es": "El artículo no coincide con la descripción",
        "fr": "Article non conforme à la description",
        "he": "המוצר לא תואם לתיאור",
        "ko": "상품 설명과 다름",
        "pl": "Produkt niezgodny z opisem",
        "pt-BR": "Produto diferente do anunciado",
        "ru": "Товар не соответствует описанию",
    },
}


class _Backdating:
    """The seller-side services stamp their rows "now"; a 30-day history needs them at the planned times.

    Replies (``reply_send``, ``dispute_respond``) are moved to their planned time together with the wait they
    closed, so the 24-hour response rate reflects the planned delay; conversations get their first and last
    message times. Collected while writing, applied in a few bulk updates at the end.
    """

    def __init__(self) -> None:
        self.replies: dict[int, datetime] = {}
        self.conversations: dict[int, tuple[datetime, datetime]] = {}

    def reply(self, message: Message, at: datetime) -> None:
        self.replies[message.pk] = at

    def conversation(self, conversation_id: int, first: datetime, last: datetime) -> None:
        self.conversations[conversation_id] = (first, last)

    def apply(self) -> None:
        Message.objects.bulk_update(
            [Message(pk=pk, created_at=at, delivered_at=at) for pk, at in self.replies.items()],
            ["created_at", "delivered_at"],
            batch_size=200,
        )
        waits = ReplyWait.objects.filter(closed_by_id__in=list(self.replies)).only("pk", "closed_by_id")
        for wait in waits:
            wait.closed_at = self.replies[wait.closed_by_id]
        ReplyWait.objects.bulk_update(waits, ["closed_at"], batch_size=200)
        responses = DisputeResponse.objects.filter(message_id__in=list(self.replies)).only("pk", "message_id")
        for response in responses:
            response.created_at = self.replies[response.message_id]
        DisputeResponse.objects.bulk_update(responses, ["created_at"], batch_size=200)
        Conversation.objects.bulk_update(
            [
                Conversation(pk=pk, created_at=first, last_message_at=last)
                for pk, (first, last) in self.conversations.items()
            ],
            ["created_at", "last_message_at"],
            batch_size=200,
        )


def _write_dispute(
    *, store: Store, plan: _ConversationPlan, turn: _Turn, text: str, acting_user, backdating: _Backdating
) -> Conversation:
    order = plan.order
    dispute_id = f"5{order['order_id'][2:]}"
    missing = turn.topic == "dispute_missing"
    dispute, _ = dispute_open(
        store=store,
        dispute_id=dispute_id,
        order_id=order["order_id"],
        opened_at=turn.at,
        reason=DISPUTE_REASONS[turn.topic][plan.language],
        refund_amount=order["amount"],
        return_goods=not missing,
        description=text,
    )
    _audit_backdate(dispute.order, AuditKind.DISPUTE_OPENED, turn.at)
    if turn.reply_at is not None:
        response = dispute_respond(
            dispute=dispute,
            acting_user=acting_user,
            action=DisputeAction.PROPOSE,
            text=REPLY_TEXTS["dispute"][plan.language],
            refund_amount=(order["amount"] / 2).quantize(Decimal("0.01")),
        )
        backdating.reply(response.message, turn.reply_at)
        _audit_backdate(dispute.order, AuditKind.DISPUTE_ANSWERED, turn.reply_at)
    return dispute.conversation


def _audit_backdate(order, kind: str, at: datetime) -> None:
    """The audit rows of a planned change carry the planned time, like the change itself."""
    AuditEvent.objects.filter(subject_type="order", subject_id=str(order.pk), kind=kind).update(created_at=at)


def _write_conversations(
    *,
    store: Store,
    spec: StoreSpec,
    plans: list[_ConversationPlan],
    repliers: list,
    photo: bytes,
    now: datetime,
) -> dict[str, int]:
    orders = {o.external_id: o for o in store.orders.all()}
    counts = {"inbound": 0, "replies": 0, "waiting": 0, "disputes": 0}
    backdating = _Backdating()
    sequence = 0
    for plan in plans:
        conversation = None
        order_id = plan.order["order_id"] if plan.order else None
        last = plan.turns[-1].reply_at or plan.turns[-1].at
        for turn in plan.turns:
            sequence += 1
            text = BUYER_TEXTS[turn.topic][plan.language].format(order=order_id or "")
            counts["inbound"] += 1
            counts["replies" if turn.reply_at else "waiting"] += 1
            if plan.channel == Channel.DISPUTE:
                conversation = _write_dispute(
                    store=store,
                    plan=plan,
                    turn=turn,
                    text=text,
                    acting_user=repliers[turn.replier],
                    backdating=backdating,
                )
                counts["disputes"] += 1
                continue
            image = SimpleUploadedFile(f"parcel-{sequence}.jpg", photo, "image/jpeg") if turn.image else None
            conversation = message_ingest(
                store=store,
                message_id=f"demo-{spec.key}-{sequence:05d}",
                buyer=plan.buyer,
                channel=plan.channel,
                text=text,
                sent_at=turn.at,
                order_id=order_id,
                image=image,
            ).conversation
            if turn.reply_at is None:
                continue
            reply = reply_send(
                conversation=conversation,
                acting_user=repliers[turn.replier],
                text=REPLY_TEXTS[REPLY_FOR_TOPIC[turn.topic]][plan.language].format(order=order_id or ""),
                language=plan.language,
            )
            backdating.reply(reply, turn.reply_at)
            if turn.topic == "protect":
                protection_extend(
                    store=store, order=orders[order_id], days=15, acting_user=repliers[turn.replier]
                )
                _audit_backdate(orders[order_id], AuditKind.PROTECTION_EXTENDED, turn.reply_at)
        backdating.conversation(conversation.pk, plan.turns[0].at, last)
    backdating.apply()
    # What the hourly escalation task would have done by now: disputes without agreement after 15 days.
    disputes_escalate_due(now=now)
    counts["conversations"] = len(backdating.conversations)
    return counts


def _ensure_member(store: Store, username: str, role: str) -> None:
    """Add the demo login unless it already works for this store and role (hashing a password is slow)."""
    if Membership.objects.filter(user__username=username, store=store, role=role).exists():
        return
    member_add(store=store, username=username, password=DEMO_PASSWORD, role=role)


def _store_logins(spec: StoreSpec) -> list[DemoLogin]:
    owner = DemoLogin(f"{spec.key}-owner", DEMO_PASSWORD, "owner", spec.name)
    return [owner, *(DemoLogin(a, DEMO_PASSWORD, "agent", spec.name) for a in spec.agents)]


def demo_stores_delete() -> int:
    """Remove the demo stores with everything in them (buyers, orders, conversations); users stay."""
    slugs = [slugify(spec.name) for spec in STORES]
    deleted = 0
    for store in Store.objects.filter(slug__in=slugs):
        with transaction.atomic():
            # A dispute response protects its message, and deleting orders first would set conversations' order
            # to NULL (SET_NULL), colliding on the one-conversation-per-buyer-and-channel constraint. So: dispute
            # responses, then conversations (their messages and waits cascade), then the store with the rest.
            DisputeResponse.objects.filter(store=store).delete()
            Conversation.objects.filter(store=store).delete()
            store.delete()
        deleted += 1
    return deleted


def _write_coupon_and_autoreply(*, store: Store, owner, now: datetime) -> None:
    """A DDWL coupon agents can attach, and auto-reply switched on with a welcome and a 3-keyword card,
    set up after the history so only new buyer messages get the welcome."""
    local_today = now.astimezone(ZoneInfo(store.timezone)).date()
    coupon = coupon_create(
        store=store,
        acting_user=owner,
        values={
            "name_suffix": " Winter thanks",
            "denomination": "5.00",
            "threshold": "30.00",
            "currency": "USD",
            "quantity": 300,
            "valid_until": (local_today + timedelta(days=60)).isoformat(),
        },
    )
    autoreply_settings_update(
        store=store,
        acting_user=owner,
        enabled=True,
        welcome_text=(
            "Hello and welcome to Aurora Electronics! Pick a topic below or write your question: "
            "we answer within 24 hours."
        ),
        welcome_texts={
            "ar": "أهلًا بك في Aurora Electronics! اختر موضوعًا أدناه أو اكتب سؤالك: نرد خلال 24 ساعة.",
            "es": "¡Hola y bienvenido a Aurora Electronics! Elige un tema abajo o escribe tu pregunta: "
            "respondemos en 24 horas.",
            "fr": "Bonjour et bienvenue chez Aurora Electronics ! Choisissez un sujet ci-dessous ou écrivez votre "
            "question : nous répondons sous 24 heures.",
            "he": "שלום וברוכים הבאים ל-Aurora Electronics! בחרו נושא למטה או כתבו את שאלתכם: אנחנו עונים תוך 24 שעות.",
            "ko": "Aurora Electronics에 오신 것을 환영합니다! 아래 주제를 선택하거나 질문을 남겨 주세요. "
            "24시간 안에 답변드립니다.",
            "pl": "Dzień dobry i witamy w Aurora Electronics! Wybierz temat poniżej lub napisz pytanie: odpowiadamy "
            "w ciągu 24 godzin.",
            "pt-BR": "Olá e bem-vindo à Aurora Electronics! Escolha um tema abaixo ou escreva sua pergunta: "
            "respondemos em até 24 horas.",
            "ru": "Здравствуйте и добро пожаловать в Aurora Electronics! Выберите тему ниже или напишите свой "
            "вопрос: мы отвечаем в течение 24 часов.",
        },
        keywords=[
            {
                "keyword": "Where is my order?",
                "reply_type": "text",
                "text": "Open the order in the app and tap Track: the latest scan is shown there. "
                "Parcels to Europe take 15-25 days, to the Americas 20-35 days.",
                "texts": {
                    "ru": "Откройте заказ в приложении и нажмите «Отследить»: там видна последняя отметка. "
                    "Посылки в Европу идут 15–25 дней, в Америку 20–35 дней.",
                    "es": "Abre el pedido en la app y toca Seguimiento: ahí ves el último escaneo. "
                    "Los paquetes a Europa tardan 15-25 días, a América 20-35 días.",
                },
            },
            {
                "keyword": "Cancel my order",
                "reply_type": "text",
                "text": "Orders that have not shipped can be cancelled on the order detail page; "
                "we handle cancellation requests the same day.",
            },
            {"keyword": "A coupon for the wait", "reply_type": "coupon", "coupon_id": coupon.pk},
        ],
    )


DEMO_TAGS = ("refund", "wrong address", "VIP")


def _write_team_inbox(*, store: Store, people: list) -> None:
    """The store's tags on a few waiting conversations and an internal note with an @mention (issue 10).
    Deterministic (no random draws), so the rest of the demo stays the same."""
    tags = [tag_create(store=store, acting_user=people[0], name=name) for name in DEMO_TAGS]
    waiting = list(conversation_list(store=store, queue="needs_reply")[:12])
    for i, conversation in enumerate(waiting[::3]):
        conversation_tag_add(conversation=conversation, acting_user=people[0], name=tags[i % len(tags)].name)
    if waiting and len(people) > 1:
        note_create(
            conversation=waiting[0],
            acting_user=people[0],
            text=f"@{people[1].username} this buyer wrote twice already; please answer first, "
            "and check the tracking with the carrier.",
        )


def demo_seed(*, now: datetime | None = None, reset: bool = False) -> DemoSeedResult:
    """Create the demo stores, people, buyers, orders and conversations; idempotent.

    Existing demo stores are left as they are (their integration tokens are rotated so working ones can be
    printed); ``reset`` deletes them first for a fresh 30-day picture.
    """
    now = now or timezone.now()
    if reset:
        demo_stores_delete()
    rng = random.Random(SEED)
    used_ids: set[str] = set()
    photo = _parcel_photo()
    results: list[DemoStoreResult] = []
    logins: list[DemoLogin] = []
    User = get_user_model()
    if not User.objects.filter(username=ADMIN_USERNAME, is_staff=True).exists():
        platform_admin_create(username=ADMIN_USERNAME, password=DEMO_PASSWORD)
    for spec in STORES:
        # Plan every store even when it exists so the random sequence (and the other store's data) never shifts.
        buyers, orders, plans = _plan_store(rng, spec, now, used_ids)
        store_logins = _store_logins(spec)
        logins.extend(store_logins)
        existing = Store.objects.filter(slug=slugify(spec.name)).first()
        if existing is not None:
            if not existing.is_demo:
                existing.is_demo = True
                existing.save(update_fields=["is_demo"])
            for login in store_logins:
                _ensure_member(existing, login.username, login.role)
            token = store_rotate_integration_token(store=existing)
            results.append(DemoStoreResult(existing.name, existing.slug, existing.tier, token, created=False))
            continue
        with transaction.atomic():
            created = store_create(
                name=spec.name,
                tier=spec.tier,
                timezone=spec.timezone,
                resume_shipping_date=(now - timedelta(days=spec.resume_shipping_days_ago)).date(),
                is_demo=True,
            )
            store = created.store
            for login in store_logins:
                _ensure_member(store, login.username, login.role)
            repliers = [User.objects.get(username=login.username) for login in store_logins]
            orders_ingest(store=store, orders=orders)
            counts = _write_conversations(
                store=store, spec=spec, plans=plans, repliers=repliers, photo=photo, now=now
            )
            if spec.tier != "basic":
                _write_coupon_and_autoreply(store=store, owner=repliers[0], now=now)
            _write_team_inbox(store=store, people=repliers)
        counts.update(buyers=Buyer.objects.filter(store=store).count(), orders=len(orders))
        results.append(
            DemoStoreResult(
                store.name, store.slug, store.tier, created.integration_token, created=True, counts=counts
            )
        )
    logins.append(DemoLogin(ADMIN_USERNAME, DEMO_PASSWORD, "platform admin", "(all stores)"))
    return DemoSeedResult(stores=results, logins=logins)
