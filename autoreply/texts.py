"""The desk's default polite texts for a coupon tap that can't give the coupon (point 7 of issue 12).

A store may write its own per language (``AutoReplySettings.unavailable_texts``); these are used otherwise.
English is the base: a buyer language without a text gets the English one.
"""

UNAVAILABLE = "unavailable"
ALREADY_HELD = "already_held"
REASONS = (UNAVAILABLE, ALREADY_HELD)

DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    UNAVAILABLE: {
        "en": "Sorry, this coupon is no longer available: it has been fully claimed or the offer has ended. "
        "Write to us any time, we are happy to help.",
        "ar": "عذرًا، هذه القسيمة لم تعد متاحة: فقد نفدت أو انتهى العرض. راسلنا في أي وقت، يسعدنا مساعدتك.",
        "es": "Lo sentimos, este cupón ya no está disponible: se ha agotado o la oferta ha terminado. "
        "Escríbenos cuando quieras, estaremos encantados de ayudarte.",
        "fr": "Désolés, ce coupon n'est plus disponible : il a été entièrement distribué ou l'offre est terminée. "
        "Écrivez-nous quand vous voulez, nous serons ravis de vous aider.",
        "he": "מצטערים, הקופון הזה כבר אינו זמין: הוא אזל או שהמבצע הסתיים. כתבו לנו בכל עת, נשמח לעזור.",
        "ko": "죄송합니다. 이 쿠폰은 모두 소진되었거나 행사가 종료되어 더 이상 받으실 수 없습니다. "
        "언제든지 메시지를 보내 주시면 기꺼이 도와드리겠습니다.",
        "pl": "Przepraszamy, ten kupon nie jest już dostępny: został wyczerpany lub promocja się zakończyła. "
        "Napisz do nas w dowolnym momencie, chętnie pomożemy.",
        "pt-BR": "Desculpe, este cupom não está mais disponível: ele se esgotou ou a oferta terminou. "
        "Escreva para nós quando quiser, teremos prazer em ajudar.",
        "ru": "К сожалению, этот купон больше недоступен: купоны закончились или акция завершилась. "
        "Пишите нам в любое время, мы с радостью поможем.",
    },
    ALREADY_HELD: {
        "en": "Good news: you already have this coupon. You will find it in your coupons, ready for your next order.",
        "ar": "خبر سار: لديك هذه القسيمة بالفعل. ستجدها في قسائمك، جاهزة لطلبك القادم.",
        "es": "Buenas noticias: ya tienes este cupón. Lo encontrarás en tus cupones, listo para tu próximo pedido.",
        "fr": "Bonne nouvelle : vous avez déjà ce coupon. Vous le trouverez dans vos coupons, prêt pour votre "
        "prochaine commande.",
        "he": "חדשות טובות: הקופון הזה כבר אצלכם. תמצאו אותו בקופונים שלכם, מוכן להזמנה הבאה.",
        "ko": "좋은 소식입니다. 이 쿠폰은 이미 받으셨습니다. 쿠폰함에서 확인하시고 다음 주문에 사용하세요.",
        "pl": "Dobra wiadomość: masz już ten kupon. Znajdziesz go w swoich kuponach, gotowy do następnego zamówienia.",
        "pt-BR": "Boa notícia: você já tem este cupom. Ele está nos seus cupons, pronto para o seu próximo pedido.",
        "ru": "Хорошая новость: этот купон у вас уже есть. Он ждёт вас в разделе купонов — используйте его при "
        "следующем заказе.",
    },
}

# The keywords the guide suggests for the card ("Scenario Suggestions" under Auto-Response in seed 000), each
# answered by the official scenario that covers it; the starter button fills them in every language it has.
STARTER_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("Can I order? Will it ship?", "shipping_delay"),
    ("Delivery and logistics", "extend_protection"),
    ("Is the package safe?", "cancel_before_shipment"),
    ("How do I cancel and get a refund?", "refuse_in_transit"),
)
