/**
 * Descriptions of event payload fields for partners. They sit on the fields of the event
 * classes (`@Describe('…')` next to the validation decorators), and the AsyncAPI generator
 * reads them from here, so the catalogue and the classes cannot tell different stories.
 */
const descriptions = new Map<object, Map<string, string>>();

/** Describes one field of an event payload (or of the envelope) for the AsyncAPI catalogue. */
export function Describe(text: string): PropertyDecorator {
  const trimmed = text.trim();
  if (!trimmed) throw new Error('@Describe needs a text');
  return (target, property) => {
    const cls = target.constructor;
    let fields = descriptions.get(cls);
    if (!fields) descriptions.set(cls, (fields = new Map()));
    fields.set(String(property), trimmed);
  };
}

/** The description of a field, looked up along the class's inheritance chain. */
export function describedField(cls: new () => object, property: string): string | undefined {
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const text = descriptions.get(c)?.get(property);
    if (text !== undefined) return text;
  }
  return undefined;
}
