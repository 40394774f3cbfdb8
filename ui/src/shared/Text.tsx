// Messages from the backend quote commands in backticks (`switchboard agent edit A`): show
// those parts as code rather than as raw backticks.

export function splitCode(text: string): { code: boolean; text: string }[] {
  const parts = text.split("`");
  // An unpaired backtick is just a character.
  if (parts.length % 2 === 0) return [{ code: false, text }];
  return parts.map((t, i) => ({ code: i % 2 === 1, text: t })).filter((p) => p.text !== "");
}

export function Text({ value }: { value: string }) {
  return (
    <>
      {splitCode(value).map((p, i) => (p.code ? <code key={i}>{p.text}</code> : p.text))}
    </>
  );
}
