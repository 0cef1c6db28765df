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
  | 'shared_sender'
  | 'bulletin_not_sending'
  | 'bulletin_not_sent'
  | 'list_not_found'
  | 'list_exists'
  | 'invalid_list_name'
  | 'default_list'
  | 'invalid_phone_number'
  | 'already_linked'
  | 'link_not_pending'
  | 'number_unconfirmed'
  | 'revoke_too_late'
  | 'stale_version'
  | 'empty_reason'
  | 'reason_too_long'
  | 'bulletin_closed'
  | 'time_in_past'
  | 'not_scheduled'
  | 'bulletin_not_editable'
  | 'draft_outdated'
  | 'last_target_list'
  | 'last_target_outlet'
  | 'outlet_not_configured'
  /** A Canali press for an outlet that cannot publish now (the WhatsApp Channel unset, say). */
  | 'outlet_not_available'
  | 'import_not_found'
  | 'import_expired'
  | 'import_closed'
  | 'import_not_done'
  | 'notice_already_drafted'
  | 'channel_not_set'
  | 'channel_already_set'
  | 'wa_not_linked'
  | 'invalid_channel_link'

  /** Ritira with the Cloud API transport: Meta cannot delete a sent message. */
  | 'revoke_not_supported';

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
