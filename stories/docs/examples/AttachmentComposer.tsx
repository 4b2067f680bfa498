import { useAttachmentQueue } from '../../../src';

/** A composer's attachments on the headless queue: its own markup, the queue's getters, Send once all are stored. */
export function AttachmentComposer({ onSend }: { onSend: (fileUuids: string[]) => void }) {
  const queue = useAttachmentQueue({ maxFiles: 10, concurrency: 2 });
  const ready = queue.items.length > 0 && queue.items.every((item) => item.state === 'uploaded');
  return (
    <div {...queue.getRootProps()}>
      <input {...queue.getInputProps()} />
      <button {...queue.getButtonProps()}>Attach files</button>
      <ul {...queue.getListProps()}>
        {queue.items.map((item) => (
          <li key={item.id} {...queue.getItemProps(item)}>
            {item.previewUrl && <img {...queue.getItemImageProps(item)} alt="" width={48} height={48} />}
            {item.name} ({item.size}) {item.status}
            {item.error && <span {...queue.getItemAlertProps(item)}>{item.errorMessage}</span>}
            {item.canRetry && <button {...queue.getItemButtonProps(item, 'retry')}>Retry</button>}
            <button {...queue.getItemButtonProps(item, item.state === 'uploaded' ? 'remove' : 'cancel')}>×</button>
          </li>
        ))}
      </ul>
      <p {...queue.getStatusProps()}>{queue.status}</p>
      <button
        disabled={!ready}
        onClick={() => {
          // The platform sends one message per uploaded file: its media's file_uuid.
          onSend(queue.items.flatMap((item) => (item.result ? [item.result.media.file_uuid] : [])));
          queue.clear();
        }}
      >
        Send
      </button>
    </div>
  );
}
