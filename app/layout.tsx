import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = { title: "Ingestion Ops Console", description: "Run and watch the advertising metrics ingestion pipeline." };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
