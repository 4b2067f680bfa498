import { useAttachmentQueue } from '../../../src';

/** A composer's attachments on the headless queue: several files, two sent at a time, Send once all are stored. */
export function AttachmentComposer({ onSend }: { onSend: (fileUuids: string[]) => void }) {
  const queue = useAttachmentQueue({ maxFiles: 10, concurrency: 2 });
  const ready = queue.items.length > 0 && queue.items.every((item) => item.state === 'uploaded');
  return (
    <div {...queue.getRootProps()}>
      <input {...queue.getInputProps()} />
      <button {...queue.getButtonProps()}>Attach files</button>
      <ul>
        {queue.items.map((item) => (
          <li key={item.id} data-state={item.state}>
            {item.file.name} {item.percent ?? 0} % {item.errorMessage}
            {item.state === 'error' && <button onClick={() => queue.retry(item.id)}>Retry {item.file.name}</button>}
            <button onClick={() => queue.remove(item.id)}>Remove {item.file.name}</button>
          </li>
        ))}
      </ul>
      {queue.leftOut.length > 0 && <p>Left out: {queue.leftOut.map((file) => file.name).join(', ')}</p>}
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
