export * from "./columns";
export * from "./users";
export * from "./orgs";
export * from "./county";
export * from "./audit";
export * from "./projects";
export * from "./tenders";
export * from "./notifications";
