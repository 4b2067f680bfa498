import { useThumbnailUploader } from '../../../src';

/** Your own markup around the widget's logic: the prop getters bring the roles, names, handlers and focus. */
export function HeadlessUploader({ parentUuid }: { parentUuid: string }) {
  const uploader = useThumbnailUploader({ parentUuid, onUploaded: (result) => console.log(result.file_url) });
  const { state, file, labels } = uploader;
  const image = uploader.getImageProps();
  return (
    <div {...uploader.getRootProps({ className: 'my-dropzone' })}>
      <input {...uploader.getInputProps()} />
      {image.src ? (
        <img {...image} alt={image.alt} width={160} />
      ) : (
        <p>{state === 'dragging' ? labels.dropHere : labels.hint}</p>
      )}
      {state === 'uploading' && <div {...uploader.getProgressProps()}>{uploader.percent ?? 0} %</div>}
      {uploader.error && <p {...uploader.getAlertProps()}>{uploader.errorMessage}</p>}
      {state === 'uploading' ? (
        <button {...uploader.getCancelButtonProps()}>{labels.cancel}</button>
      ) : (
        <>
          {uploader.canUpload && <button {...uploader.getUploadButtonProps()}>{labels.upload}</button>}
          {uploader.canRetry && <button {...uploader.getRetryButtonProps()}>{labels.retry}</button>}
          <button {...uploader.getButtonProps()}>{file ? labels.chooseAnother : labels.choose}</button>
        </>
      )}
      <p {...uploader.getStatusProps()}>{uploader.status}</p>
    </div>
  );
}
