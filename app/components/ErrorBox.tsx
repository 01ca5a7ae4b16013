// An API error as the forms show it: the sentence, then the list of what is wrong (the `issues` of
// an `{error, code, issues}` answer, or the contract's own check before sending). An alert, so a
// screen reader says it when it appears. The class is the caller's (the models pages' "problems",
// the AI panel's CSS module); the test id is what the e2e tests read.

/** The error a form keeps in its state: the sentence and the issues (empty when there are none). */
export type ErrorText = { text: string; issues: readonly string[] };

export function ErrorBox({ error, className, testId }: { error: ErrorText | null; className: string; testId: string }) {
  if (!error) return null;
  return (
    <div className={className} role="alert" data-testid={testId}>
      {error.text}
      {error.issues.length > 0 && (
        <ul>
          {error.issues.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
