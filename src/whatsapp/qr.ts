/** Prints the linking QR in the terminal, with the one instruction a person needs. */
export async function printQr(qr: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const { default: QRCode } = await import('qrcode');
  const art = await QRCode.toString(qr, { type: 'terminal', small: true });
  out.write(
    `\nCollega il numero del Comune: su WhatsApp apri Impostazioni > Dispositivi collegati > Collega un dispositivo e inquadra questo codice.\n${art}\n`,
  );
}
