/**
 * Complete labels in French and Arabic, as an app would write them: every string, the error
 * sentences included, typed as the full label set so that a missing one fails the type check.
 */
import { errorLabelsFrom, type ErrorLabel, type ThumbnailUploaderLabels } from '../../src';

const frenchError: ErrorLabel = ({ kind, reason, status, fileName, size, limit, detail, formatBytes }) => {
  const name = fileName ?? 'Ce fichier';
  const because = detail ? ` (${detail})` : '';
  if (reason === 'file-too-large' && size !== undefined && limit !== undefined)
    return `${name} pèse ${formatBytes(size)} ; la limite est de ${formatBytes(limit)}. Choisissez une image plus légère.`;
  if (reason === 'too-many-files') return 'Déposez une seule image à la fois.';
  if (reason === 'empty') return 'Ce fichier est vide. Choisissez une image qui a un contenu.';
  if (reason === 'heic-unsupported')
    return 'Ce navigateur ne sait pas lire les photos HEIC. Enregistrez d’abord la photo en JPEG, ou ouvrez cette page dans Safari.';
  switch (kind) {
    case 'invalid-file':
      return `${name} n’est pas une image utilisable. Choisissez une image PNG, JPEG, GIF, WebP, AVIF ou BMP.`;
    case 'too-large':
      return `Le serveur a refusé l’image, trop lourde${because}. Choisissez une image plus légère.`;
    case 'auth':
      return 'Votre session a expiré. Reconnectez-vous, puis réessayez.';
    case 'forbidden':
      return 'Vous n’avez pas le droit d’envoyer ici. Demandez l’accès au propriétaire de la conversation.';
    case 'server':
      return status === 429
        ? 'Le serveur est occupé. Patientez un instant, puis réessayez.'
        : `Le serveur n’a pas pu enregistrer l’image (erreur ${status ?? '?'}). Réessayez dans un instant.`;
    case 'network':
      return 'L’envoi n’a pas pu joindre le serveur. Vérifiez votre connexion et réessayez.';
    case 'bad-response':
      return 'La réponse du serveur n’est pas un résultat d’envoi. Réessayez plus tard.';
    case 'aborted':
      return 'Envoi annulé.';
    case 'rejected':
      return `Le serveur a refusé l’envoi${because}. Rechargez la page et réessayez.`;
  }
};

export const frenchLabels: ThumbnailUploaderLabels = {
  locale: 'fr',
  region: 'Envoi de la miniature',
  hint: 'Glissez une image ici, collez-la, ou',
  dropHere: 'Déposez l’image pour l’envoyer',
  choose: 'Choisir une image',
  chooseAnother: 'Choisir une autre image',
  upload: 'Envoyer',
  cancel: 'Annuler',
  retry: 'Réessayer',
  uploading: (name) => `Envoi de ${name}`,
  retrying: (attempt, attempts) => `Nouvel essai… (${attempt} sur ${attempts})`,
  offline: 'En attente de la connexion…',
  uploaded: (name) => `${name} envoyée`,
  cancelled: 'Envoi annulé.',
  busy: 'Annulez l’envoi en cours avant de choisir une autre image.',
  partialDrop: (name, reason) => `Seule ${name} a été prise. ${reason}`,
  parentChanged: 'L’envoi a été annulé : le message auquel il appartenait a changé. Choisissez l’image à nouveau.',
  previewAlt: (name) => `Aperçu de ${name}`,
  uploadedAlt: (name) => `Miniature envoyée de ${name}`,
  errors: errorLabelsFrom(frenchError),
};

const arabicError: ErrorLabel = ({ kind, reason, status, fileName, size, limit, formatBytes }) => {
  const name = fileName ?? 'هذا الملف';
  if (reason === 'file-too-large' && size !== undefined && limit !== undefined)
    return `حجم ${name} هو ${formatBytes(size)}، والحد الأقصى ${formatBytes(limit)}. اختر صورة أصغر.`;
  if (reason === 'too-many-files') return 'أفلت صورة واحدة في كل مرة.';
  if (reason === 'heic-unsupported')
    return 'لا يستطيع هذا المتصفح قراءة صور HEIC. احفظ الصورة بصيغة JPEG أولًا، أو افتح هذه الصفحة في Safari.';
  switch (kind) {
    case 'invalid-file':
      return `${name} ليس صورة يمكن استخدامها. اختر صورة PNG أو JPEG أو GIF أو WebP أو AVIF أو BMP.`;
    case 'too-large':
      return 'رفض الخادم الصورة لأنها كبيرة جدًا. اختر صورة أصغر.';
    case 'auth':
      return 'انتهت جلستك. سجّل الدخول مرة أخرى، ثم أعد المحاولة.';
    case 'forbidden':
      return 'لا يُسمح لك بالرفع هنا. اطلب الإذن من صاحب المحادثة.';
    case 'server':
      return `تعذّر على الخادم حفظ الصورة (خطأ ${status ?? '؟'}). أعد المحاولة بعد قليل.`;
    case 'network':
      return 'تعذّر الوصول إلى الخادم. تحقّق من اتصالك وأعد المحاولة.';
    case 'bad-response':
      return 'ردّ الخادم ليس نتيجة رفع. أعد المحاولة لاحقًا.';
    case 'aborted':
      return 'أُلغي الرفع.';
    case 'rejected':
      return 'رفض الخادم الرفع. أعد تحميل الصفحة وحاول مرة أخرى.';
  }
};

export const arabicLabels: ThumbnailUploaderLabels = {
  locale: 'ar',
  region: 'رفع الصورة المصغّرة',
  hint: 'اسحب صورة إلى هنا، أو الصقها، أو',
  dropHere: 'أفلت الصورة لرفعها',
  choose: 'اختر صورة',
  chooseAnother: 'اختر صورة أخرى',
  upload: 'ارفع',
  cancel: 'إلغاء',
  retry: 'أعد المحاولة',
  uploading: (name) => `جارٍ رفع ${name}`,
  retrying: (attempt, attempts) => `إعادة المحاولة… (${attempt} من ${attempts})`,
  offline: 'في انتظار الاتصال…',
  uploaded: (name) => `تم رفع ${name}`,
  cancelled: 'أُلغي الرفع.',
  busy: 'ألغِ الرفع الجاري قبل اختيار صورة أخرى.',
  partialDrop: (name, reason) => `أُخذ ${name} فقط. ${reason}`,
  parentChanged: 'أُلغي الرفع لأن الرسالة التي ينتمي إليها تغيّرت. اختر الصورة مرة أخرى.',
  previewAlt: (name) => `معاينة ${name}`,
  uploadedAlt: (name) => `الصورة المصغّرة المرفوعة لـ ${name}`,
  errors: errorLabelsFrom(arabicError),
};
