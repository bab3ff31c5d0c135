#include "core/codes.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

namespace ik::core::codes {
namespace {

constexpr Code kGender[] = {
    {"female", "Female", "gender=Female"},
    {"male", "Male", "gender=Male"},
    {"transgender", "Transgender / non-conforming", "gender=Transgender/NonConforming"},
    {"unknown", "Unknown", ""},
};
constexpr Code kMarital[] = {
    {"single", "Single", ""},          {"married", "Married", ""},   {"partnership", "In a partnership", ""},
    {"divorced", "Divorced or separated", ""}, {"widowed", "Widowed", ""}, {"unknown", "Unknown", ""},
};
constexpr Code kEducation[] = {
    {"none", "No schooling", ""},          {"primary", "Primary", ""},   {"secondary", "Secondary", ""},
    {"vocational", "Vocational", ""},      {"higher", "Higher", ""},     {"unknown", "Unknown", ""},
};
constexpr Code kExploitation[] = {
    {"forced_labour", "Forced labour", "isForcedLabour"},
    {"sexual", "Sexual exploitation", "isSexualExploit"},
    {"forced_marriage", "Forced marriage", "isForcedMarriage"},
    {"forced_military", "Forced military service", "isForcedMilitary"},
    {"organ_removal", "Organ removal", "isOrganRemoval"},
    {"slavery_practices", "Slavery and similar practices", "isSlaveryAndPractices"},
    {"other", "Other exploitation", "isOtherExploit"},
};
constexpr Code kLabourSector[] = {
    {"agriculture", "Agriculture", "typeOfLabourAgriculture"},
    {"aquafarming", "Aquafarming and fishing", "typeOfLabourAquafarming"},
    {"begging", "Begging", "typeOfLabourBegging"},
    {"construction", "Construction", "typeOfLabourConstruction"},
    {"domestic_work", "Domestic work", "typeOfLabourDomesticWork"},
    {"hospitality", "Hospitality", "typeOfLabourHospitality"},
    {"illicit_activities", "Illicit activities", "typeOfLabourIllicitActivities"},
    {"manufacturing", "Manufacturing", "typeOfLabourManufacturing"},
    {"mining_drilling", "Mining or drilling", "typeOfLabourMiningOrDrilling"},
    {"peddling", "Peddling", "typeOfLabourPeddling"},
    {"transportation", "Transportation", "typeOfLabourTransportation"},
    {"other", "Other sector", "typeOfLabourOther"},
    {"not_specified", "Not specified", "typeOfLabourNotSpecified"},
};
constexpr Code kSexual[] = {
    {"prostitution", "Prostitution", "typeOfSexProstitution"},
    {"pornography", "Pornography", "typeOfSexPornography"},
    {"remote_interactive", "Remote interactive services", "typeOfSexRemoteInteractiveServices"},
    {"private_sexual_services", "Private sexual services", "typeOfSexPrivateSexualServices"},
    {"not_specified", "Not specified", ""},
};
constexpr Code kMeansOfControl[] = {
    {"debt_bondage", "Debt bondage", "meansOfControlDebtBondage"},
    {"takes_earnings", "Takes earnings", "meansOfControlTakesEarnings"},
    {"restricts_financial_access", "Restricts financial access", "meansOfControlRestrictsFinancialAccess"},
    {"threats", "Threats", "meansOfControlThreats"},
    {"psychological_abuse", "Psychological abuse", "meansOfControlPsychologicalAbuse"},
    {"physical_abuse", "Physical abuse", "meansOfControlPhysicalAbuse"},
    {"sexual_abuse", "Sexual abuse", "meansOfControlSexualAbuse"},
    {"false_promises", "False promises", "meansOfControlFalsePromises"},
    {"psychoactive_substances", "Psychoactive substances", "meansOfControlPsychoactiveSubstances"},
    {"restricts_movement", "Restricts movement", "meansOfControlRestrictsMovement"},
    {"restricts_medical_care", "Restricts medical care", "meansOfControlRestrictsMedicalCare"},
    {"excessive_working_hours", "Excessive working hours", "meansOfControlExcessiveWorkingHours"},
    {"uses_children", "Uses children", "meansOfControlUsesChildren"},
    {"threat_of_law_enforcement", "Threat of law enforcement", "meansOfControlThreatOfLawEnforcement"},
    {"withholds_necessities", "Withholds necessities", "meansOfControlWithholdsNecessities"},
    {"withholds_documents", "Withholds documents", "meansOfControlWithholdsDocuments"},
    {"other", "Other means of control", "meansOfControlOther"},
};
constexpr Code kRecruitment[] = {
    {"abduction", "Abduction", "isAbduction"},
    {"job_offer", "Job offer", ""},
    {"marriage_offer", "Marriage or relationship offer", ""},
    {"online", "Online contact", ""},
    {"education_offer", "Education or travel offer", ""},
    {"sold_by_family", "Sold or given by family", ""},
    {"other", "Other", ""},
    {"unknown", "Unknown", ""},
};
constexpr Code kRecruiterRelation[] = {
    {"intimate_partner", "Intimate partner", "recruiterRelationIntimatePartner"},
    {"friend", "Friend or acquaintance", "recruiterRelationFriend"},
    {"family", "Family member", "recruiterRelationFamily"},
    {"other", "Other", "recruiterRelationOther"},
    {"unknown", "Unknown", "recruiterRelationUnknown"},
};
constexpr Code kCaseStatus[] = {
    {"active", "Active", ""}, {"follow_up", "Follow-up", ""}, {"closed", "Closed", ""},
    {"closed_referred", "Closed, referred", ""},
};
constexpr Code kRisk[] = {{"low", "Low risk", ""}, {"medium", "Medium risk", ""}, {"high", "High risk", ""}};
constexpr Code kScope[] = {{"national", "National", ""}, {"international", "International", ""}};
constexpr Code kRepatriation[] = {
    {"not_applicable", "Not applicable", ""}, {"requested", "Requested", ""}, {"in_progress", "In progress", ""},
    {"completed", "Completed", ""},           {"refused", "Refused by the person", ""},
};
constexpr Code kReferralDirection[] = {{"incoming", "Incoming", ""}, {"outgoing", "Outgoing", ""}};
constexpr Code kReferralStatus[] = {
    {"pending", "Pending", ""}, {"accepted", "Accepted", ""}, {"rejected", "Rejected", ""}, {"done", "Done", ""},
};
constexpr Code kOrganisation[] = {
    {"law_enforcement", "Law enforcement", ""}, {"ngo", "NGO", ""}, {"health", "Health service", ""},
    {"legal", "Legal aid", ""}, {"social_services", "Social services", ""}, {"embassy", "Embassy or consulate", ""},
    {"international_org", "International organisation", ""}, {"hotline", "Hotline", ""}, {"other", "Other", ""},
};
constexpr Code kWing[] = {{"women", "Women", ""}, {"girls", "Girls", ""}, {"men", "Men", ""}, {"boys", "Boys", ""}};
constexpr Code kDischarge[] = {
    {"reintegration", "Reintegration", ""}, {"repatriation", "Repatriation", ""}, {"transfer", "Transfer", ""},
    {"left", "Left the shelter", ""},
};
constexpr Code kService[] = {
    {"accommodation", "Accommodation", ""}, {"food_clothes", "Food and clothes", ""},
    {"psychological", "Psychological care", ""}, {"medical", "Medical care", ""},
    {"vocational", "Vocational training", ""}, {"legal", "Legal aid", ""},
    {"interpretation", "Interpretation", ""}, {"other", "Other service", ""},
};
constexpr Code kChannel[] = {
    {"phone", "Phone", ""}, {"sms", "SMS", ""}, {"messenger", "Messenger", ""}, {"email", "E-mail", ""},
    {"other", "Other", ""},
};
constexpr Code kCaller[] = {
    {"potential_victim", "Potential victim", ""}, {"family", "Family member", ""}, {"witness", "Witness", ""},
    {"professional", "Professional", ""},         {"anonymous", "Anonymous", ""},
};
constexpr Code kCallType[] = {
    {"crisis", "Crisis", ""}, {"tip", "Tip", ""}, {"information", "Information", ""},
    {"referral_request", "Referral request", ""}, {"psychological_aid", "Psychological aid", ""},
    {"other", "Other", ""},
};
// The ILO's eleven indicators of forced labour.
constexpr Code kIlo[] = {
    {"abuse_of_vulnerability", "Abuse of vulnerability", ""},
    {"deception", "Deception", ""},
    {"restriction_of_movement", "Restriction of movement", ""},
    {"isolation", "Isolation", ""},
    {"physical_sexual_violence", "Physical and sexual violence", ""},
    {"intimidation_threats", "Intimidation and threats", ""},
    {"retention_of_documents", "Retention of identity documents", ""},
    {"withholding_of_wages", "Withholding of wages", ""},
    {"debt_bondage", "Debt bondage", ""},
    {"abusive_conditions", "Abusive working and living conditions", ""},
    {"excessive_overtime", "Excessive overtime", ""},
};
constexpr Code kCallAction[] = {
    {"information_given", "Information given", ""}, {"psychological_aid", "Psychological aid given", ""},
    {"referred_law_enforcement", "Referred to law enforcement", ""}, {"referred_service", "Referred to a service", ""},
    {"shelter_admission", "Shelter admission arranged", ""}, {"no_action", "No action needed", ""},
};
constexpr Code kConsent[] = {
    {"manage_data", "Consent to manage personal data", ""},
    {"share_law_enforcement", "Consent to share with law enforcement", ""},
    {"referral", "Consent to be referred", ""},
};
constexpr Code kNeed[] = {
    {"accommodation", "Safe accommodation", ""}, {"medical", "Medical care", ""},
    {"psychological", "Psychological support", ""}, {"legal", "Legal aid", ""},
    {"interpretation", "Interpretation", ""}, {"protection", "Protection", ""}, {"childcare", "Childcare", ""},
    {"documents", "Identity documents", ""}, {"financial", "Financial support", ""}, {"other", "Other", ""},
};
constexpr Code kIntakeSource[] = {
    {"self", "Came by themselves", ""}, {"law_enforcement", "Law enforcement", ""}, {"ngo", "NGO", ""},
    {"hotline", "Hotline", ""}, {"embassy", "Embassy or consulate", ""}, {"family", "Family or friends", ""},
    {"other", "Other", ""},
};

const std::array kLists{
    CodeList{"gender", kGender},
    CodeList{"marital_status", kMarital},
    CodeList{"education", kEducation},
    CodeList{"exploitation_type", kExploitation},
    CodeList{"labour_sector", kLabourSector},
    CodeList{"sexual_exploitation", kSexual},
    CodeList{"means_of_control", kMeansOfControl},
    CodeList{"recruitment", kRecruitment},
    CodeList{"recruiter_relation", kRecruiterRelation},
    CodeList{"case_status", kCaseStatus},
    CodeList{"risk_level", kRisk},
    CodeList{"scope", kScope},
    CodeList{"repatriation_status", kRepatriation},
    CodeList{"referral_direction", kReferralDirection},
    CodeList{"referral_status", kReferralStatus},
    CodeList{"organisation_type", kOrganisation},
    CodeList{"wing", kWing},
    CodeList{"discharge_reason", kDischarge},
    CodeList{"service_type", kService},
    CodeList{"call_channel", kChannel},
    CodeList{"caller_type", kCaller},
    CodeList{"call_type", kCallType},
    CodeList{"ilo_indicator", kIlo},
    CodeList{"call_action", kCallAction},
    CodeList{"consent_kind", kConsent},
    CodeList{"need", kNeed},
    CodeList{"intake_source", kIntakeSource},
};

}  // namespace

bool CodeList::contains(std::string_view code) const {
  return std::any_of(codes.begin(), codes.end(), [&](const Code& c) { return c.code == code; });
}

std::string_view CodeList::label(std::string_view code) const {
  for (const auto& c : codes)
    if (c.code == code) return c.label;
  return {};
}

std::span<const CodeList> all_lists() { return kLists; }

const CodeList& list(std::string_view name) {
  for (const auto& l : kLists)
    if (l.name == name) return l;
  std::fprintf(stderr, "fatal: unknown code list\n");
  std::abort();
}

std::string join(std::vector<std::string> codes) {
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  std::string out;
  for (const auto& c : codes) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out;
}

std::vector<std::string> split(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    out.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace ik::core::codes
