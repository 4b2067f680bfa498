import { ThumbnailUploader } from '../../../src';

/** Error sentences of your own, in French; the kinds left out keep their English sentence. */
export function FrenchThumbnailUploader({ parentUuid }: { parentUuid: string }) {
  return (
    <ThumbnailUploader
      parentUuid={parentUuid}
      labels={{
        locale: 'fr',
        errors: {
          'too-large': ({ fileName, size, limit, formatBytes }) =>
            size !== undefined && limit !== undefined
              ? `${fileName ?? 'Cette image'} fait ${formatBytes(size)} ; la limite est ${formatBytes(limit)}.`
              : 'Le serveur a refusé cette image : elle est trop lourde.',
          auth: () => 'Votre session a expiré. Reconnectez-vous, puis réessayez.',
        },
      }}
    />
  );
}
