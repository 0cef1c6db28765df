export type DomainErrorCode =
  | 'not_staff'
  | 'forbidden'
  | 'bulletin_not_found'
  | 'bulletin_not_pending'
  | 'self_approval'
  | 'empty_text'
  | 'text_too_long'
  | 'invalid_role'
  | 'configured_admin'
  | 'bulletin_not_sending'
  | 'bulletin_not_sent';

/** A rule of the domain was not met; adapters turn the code into words for people. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
